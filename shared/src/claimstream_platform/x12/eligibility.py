"""270 and 271 (005010X279A1): read into the values of eligibility_model.py (written by eligibility_writer.py,
exported here too).

Reading walks the HL tree: 20 the payer (2100A), 21 the receiver (2100B), 22 the subscriber (2100C), 23 a dependent
(2100D). A 271 gives one Response per subscriber or dependent loop, with its EB benefits (each with its MSG texts
and 2120C entities) and the AAA rejections of its own loop and of the loops above it. A value that cannot be read
is an X12Error naming the segment's position, tag and element. An EB's HSD segments (visit limits) are read with
it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from claimstream_platform.x12.eligibility_model import Benefit, Contact, Delivery, Inquiry, Party, Rejection, Response
from claimstream_platform.x12.eligibility_writer import IMPLEMENTATION, transaction_270, transaction_271
from claimstream_platform.x12.envelope import Transaction, X12Error
from claimstream_platform.x12.segments import Delimiters, Segment

LEVELS = {"20": "payer", "21": "provider", "22": "subscriber", "23": "dependent"}


@dataclass
class _Loop:
    """What one subscriber or dependent loop has gathered so far."""

    parties: dict[str, Party] = field(default_factory=dict)
    trace: str = ""
    benefits: list[Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    dates: list[tuple[str, str]] = field(default_factory=list)
    service_date: date | None = None
    service_types: list[str] = field(default_factory=list)
    birth_dates: dict[str, date] = field(default_factory=dict)


class _Walk:
    """One pass over a transaction's segments, by HL level."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        self.level = ""
        self.above: dict[str, Party] = {}  # payer and provider
        self.above_rejections: list[Rejection] = []
        self.loops: list[_Loop] = []
        self.in_2120 = False

    @property
    def loop(self) -> _Loop | None:
        return self.loops[-1] if self.loops and self.level in ("subscriber", "dependent") else None

    def hl(self, segment: Segment) -> None:
        self.level = LEVELS.get(segment.get(3), "")
        if not self.level:
            raise X12Error(
                f"HL03 {segment.get(3)!r} is no 270/271 level", position=segment.position, tag="HL", element=3
            )
        if self.level == "subscriber":
            self.loops.append(_Loop())
        elif self.level == "dependent":  # the dependent's loop carries the subscriber it belongs to
            parent = self.loops[-1] if self.loops else _Loop()
            if not (parent.benefits or parent.rejections):
                self.loops = self.loops[:-1]
            self.loops.append(_Loop(parties={k: v for k, v in parent.parties.items() if k == "IL"}))

    def nm1(self, segment: Segment) -> None:
        party = Party(segment.get(1), segment.get(2), segment.get(3), segment.get(4), segment.get(8), segment.get(9))
        loop = self.loop
        if self.in_2120 and loop is not None and loop.benefits:
            last = loop.benefits[-1]
            loop.benefits[-1] = replace(last, contacts=(*last.contacts, Contact(party)))
        elif loop is not None:
            loop.parties[party.code] = party
        else:
            self.above[self.level] = party

    def aaa(self, segment: Segment) -> None:
        rejection = Rejection(self.level, segment.get(3), segment.get(4), segment.get(1))
        (self.loop.rejections if self.loop is not None else self.above_rejections).append(rejection)


def read_271(transaction: Transaction, delimiters: Delimiters) -> list[Response]:
    """Every subscriber or dependent loop of a 271, with its benefits and rejections; a 271 that rejects the
    request above the subscriber (AAA in 2100A or 2100B) gives one Response with those rejections."""
    walk = _walk(transaction, delimiters, _RESPONSE_SEGMENTS)
    payer = walk.above.get("payer")
    if payer is None:
        raise X12Error("no information source (2100A NM1*PR)", position=transaction.position, tag="ST")
    if not walk.loops:
        return [Response(payer, walk.above.get("provider"), None, rejections=tuple(walk.above_rejections))]
    return [
        Response(
            payer=payer,
            provider=walk.above.get("provider"),
            subscriber=loop.parties.get("IL"),
            trace=loop.trace,
            dependent=loop.parties.get("03"),
            benefits=tuple(loop.benefits),
            rejections=tuple(walk.above_rejections + loop.rejections),
            eligibility_dates=tuple(loop.dates),
        )
        for loop in walk.loops
    ]


def read_270(transaction: Transaction, delimiters: Delimiters) -> list[Inquiry]:
    """Every subscriber or dependent loop of a 270, as the inquiry it makes."""
    walk = _walk(transaction, delimiters, _INQUIRY_SEGMENTS)
    payer, provider = walk.above.get("payer"), walk.above.get("provider")
    if payer is None or provider is None:
        raise X12Error(
            "a 270 names its payer (2100A) and its provider (2100B)", position=transaction.position, tag="ST"
        )
    inquiries = []
    for loop in walk.loops:
        subscriber = loop.parties.get("IL")
        if subscriber is None:
            raise X12Error("an inquiry names its subscriber (2100C NM1*IL)", position=transaction.position, tag="HL")
        inquiries.append(
            Inquiry(
                payer=payer,
                provider=provider,
                subscriber=subscriber,
                trace=loop.trace,
                originator="",
                service_date=loop.service_date,
                service_types=tuple(loop.service_types) or ("30",),
                birth_date=loop.birth_dates.get("IL"),
                dependent=loop.parties.get("03"),
                dependent_birth_date=loop.birth_dates.get("03"),
            )
        )
    return inquiries


def _walk(
    transaction: Transaction, delimiters: Delimiters, handlers: dict[str, Callable[[_Walk, Segment], None]]
) -> _Walk:
    walk = _Walk(delimiters)
    for segment in transaction.segments:
        handle = handlers.get(segment.tag)
        if handle is not None:
            handle(walk, segment)
    return walk


def _trn(walk: _Walk, segment: Segment) -> None:
    loop = walk.loop
    if loop is not None and (segment.get(1) == "2" or not loop.trace):  # 2: the inquiry's own trace, echoed
        loop.trace = segment.get(2)


def _dtp(walk: _Walk, segment: Segment) -> None:
    loop = walk.loop
    if loop is None or loop.benefits:
        return  # a benefit's own dates (2110C) are not the loop's
    if segment.get(1) == "291" and segment.get(2) == "D8":
        loop.service_date = _date(segment, 3)
    loop.dates.append((segment.get(1), segment.get(3)))


def _dmg(walk: _Walk, segment: Segment) -> None:
    loop = walk.loop
    if loop is not None and segment.get(1) == "D8" and segment.get(2):
        loop.birth_dates["03" if walk.level == "dependent" else "IL"] = _date(segment, 2)


def _eq(walk: _Walk, segment: Segment) -> None:
    if walk.loop is not None:
        walk.loop.service_types += [t for t in segment.get(1).split(walk.d.repetition) if t]


def _eb(walk: _Walk, segment: Segment) -> None:
    loop = walk.loop
    if loop is None:
        raise X12Error("a benefit (EB) outside a subscriber or dependent loop", position=segment.position, tag="EB")
    walk.in_2120 = False
    loop.benefits.append(
        Benefit(
            information=segment.get(1),
            coverage_level=segment.get(2),
            service_types=tuple(t for t in segment.get(3).split(walk.d.repetition) if t),
            insurance_type=segment.get(4),
            plan=segment.get(5),
            period=segment.get(6),
            amount=_decimal(segment, 7),
            percent=_decimal(segment, 8),
            quantity_qualifier=segment.get(9),
            quantity=_decimal(segment, 10),
            authorization_required=segment.get(11),
            in_network=segment.get(12),
            procedure=segment.component(13, 2, walk.d),
            position=segment.position,
        )
    )


def _hsd(walk: _Walk, segment: Segment) -> None:
    """An HSD qualifies the EB before it (2110C/D): a quantity of the service per unit or period."""
    loop = walk.loop
    if walk.in_2120 or loop is None or not loop.benefits:
        return
    delivery = Delivery(
        quantity_qualifier=segment.get(1),
        quantity=_decimal(segment, 2),
        unit=segment.get(3),
        sample=_decimal(segment, 4),
        period=segment.get(5),
        periods=_decimal(segment, 6),
    )
    last = loop.benefits[-1]
    loop.benefits[-1] = replace(last, deliveries=(*last.deliveries, delivery))


def _msg(walk: _Walk, segment: Segment) -> None:
    loop = walk.loop
    if loop is not None and loop.benefits:
        last = loop.benefits[-1]
        loop.benefits[-1] = replace(last, messages=(*last.messages, segment.get(1)))


def _per(walk: _Walk, segment: Segment) -> None:
    loop = walk.loop
    if not (walk.in_2120 and loop is not None and loop.benefits and loop.benefits[-1].contacts):
        return
    numbers = [segment.get(n + 1) for n in (3, 5, 7) if segment.get(n) == "TE"]
    last = loop.benefits[-1]
    contact = replace(last.contacts[-1], phone=numbers[0] if numbers else "")
    loop.benefits[-1] = replace(last, contacts=(*last.contacts[:-1], contact))


def _ls(walk: _Walk, segment: Segment) -> None:
    walk.in_2120 = segment.get(1) == "2120"


def _le(walk: _Walk, _segment: Segment) -> None:
    walk.in_2120 = False


def _decimal(segment: Segment, number: int) -> Decimal | None:
    text = segment.get(number)
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise X12Error(
            f"{text!r} is not a number", position=segment.position, tag=segment.tag, element=number
        ) from None


def _date(segment: Segment, number: int) -> date:
    try:
        return datetime.strptime(segment.get(number), "%Y%m%d").date()
    except ValueError:
        raise X12Error(
            f"{segment.get(number)!r} is not a CCYYMMDD date",
            position=segment.position,
            tag=segment.tag,
            element=number,
        ) from None


_COMMON: dict[str, Callable[[_Walk, Segment], None]] = {
    "HL": _Walk.hl, "NM1": _Walk.nm1, "AAA": _Walk.aaa, "TRN": _trn, "DTP": _dtp, "DMG": _dmg,
}  # fmt: skip
_INQUIRY_SEGMENTS = {**_COMMON, "EQ": _eq}
_RESPONSE_SEGMENTS = {**_COMMON, "EB": _eb, "HSD": _hsd, "MSG": _msg, "LS": _ls, "LE": _le, "PER": _per}


__all__ = ["IMPLEMENTATION", "read_270", "read_271", "transaction_270", "transaction_271"]
