"""Reading the 278 request for review and its response (005010X217) into the values of review_model.py; writing
them is review.py's.

Each service (2000F) is read on its own: its HCR, HSD and dates where it has them, the event's (2000E) where it
has none. An HSD that gives no quantity gives none (it is never read as 0). A value that cannot be read is an
X12Error naming the segment and element.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from claimstream_platform.x12.eligibility_model import Party, Rejection
from claimstream_platform.x12.envelope import Transaction, X12Error
from claimstream_platform.x12.review_model import CERTIFIED, VISITS, ReviewDecision, ReviewRequest, ServiceDecision
from claimstream_platform.x12.segments import Delimiters, Segment

LEVELS = {"20": "payer", "21": "requester", "22": "subscriber", "23": "dependent", "EV": "event", "SS": "service"}


@dataclass
class _Loop:
    """What one loop said itself: the patient event (2000E) or one of its services (2000F)."""

    hcr: tuple[str, str, str] | None = None  # HCR01..03
    hsd: tuple[str, int] | None = None  # HSD01, HSD02 (an HSD that gives no quantity is not kept)
    span: tuple[date, date] | None = None
    code: str = ""
    modifiers: tuple[str, ...] = ()
    billed: tuple[str, int] | None = None  # SV1-03, SV1-04: what a service asks when it has no HSD


@dataclass
class _Event(_Loop):
    trace: str = ""
    originator: str = ""
    certification: str = ""
    service_type: str = ""
    place: str = ""
    previous: str = ""
    diagnoses: list[str] = field(default_factory=list)
    services: list[_Loop] = field(default_factory=list)


class _Walk:
    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        self.level = ""
        self.parties: dict[str, Party] = {}
        self.rejections: list[Rejection] = []
        self.events: list[_Event] = []
        self.birth_date: date | None = None

    def take(self, segment: Segment) -> None:
        tag = segment.tag
        if tag == "HL":
            self._level(segment)
        elif tag == "NM1" and self.level in ("payer", "requester", "subscriber", "dependent"):
            self.parties.setdefault(self.level, _party(segment))  # its first NM1: X3, 1P or FA, IL
        elif tag == "AAA":
            self.rejections.append(Rejection(self.level, segment.get(3), segment.get(4), segment.get(1)))
        elif tag == "DMG" and self.level == "subscriber":
            self.birth_date = _date(segment, 2)
        elif self.events and self.level in ("event", "service"):
            event = self.events[-1]
            loop = event.services[-1] if self.level == "service" and event.services else event
            _loop_segment(event, loop, segment, self.d)

    def _level(self, segment: Segment) -> None:
        self.level = LEVELS.get(segment.get(3), "")
        if not self.level:
            raise _error(segment, 3, f"HL03 {segment.get(3)!r} is no 278 level")
        if self.level == "event":
            self.events.append(_Event())
        elif self.level == "service" and self.events:
            self.events[-1].services.append(_Loop())


def _loop_segment(event: _Event, loop: _Loop, segment: Segment, d: Delimiters) -> None:
    tag = segment.tag
    if tag == "TRN" and (segment.get(1) == "2" or not event.trace):
        event.trace, event.originator = segment.get(2), segment.get(3)
    elif tag == "UM" and loop is event:
        event.certification, event.service_type = segment.get(2), segment.get(3)
        event.place = segment.component(4, 1, d)
    elif tag == "REF" and segment.get(1) == "BB":
        event.previous = segment.get(2)
    elif tag == "HI":
        event.diagnoses += [e.split(d.component)[1] for e in segment.elements if d.component in e]
    elif tag == "HCR" and loop.hcr is None:
        loop.hcr = (segment.get(1), segment.get(2), segment.get(3))
    elif tag == "DTP" and segment.get(1) in ("472", "AAH", "435") and loop.span is None:
        loop.span = _span_of(segment)
    elif tag in ("SV1", "SV2") and loop is not event:
        _service_line(loop, segment, d)
    elif tag == "HSD" and loop.hsd is None and segment.get(2):
        loop.hsd = (segment.get(1), _int(segment, 2))


def _service_line(loop: _Loop, segment: Segment, d: Delimiters) -> None:
    """SV1-01 (SV2-02): the procedure code and its modifiers; SV1-03/04 what it asks in units."""
    parts = segment.get(1 if segment.tag == "SV1" else 2).split(d.component)
    loop.code = parts[1] if len(parts) > 1 else ""
    loop.modifiers = tuple(p for p in parts[2:6] if p)
    if segment.tag == "SV1" and segment.get(4):
        loop.billed = (segment.get(3), _int(segment, 4))


def read_278_request(transaction: Transaction, delimiters: Delimiters) -> list[ReviewRequest]:
    walk = _read(transaction, delimiters)
    payer, requester, subscriber = (walk.parties.get(level) for level in ("payer", "requester", "subscriber"))
    if payer is None or requester is None or subscriber is None:
        raise X12Error(
            "a 278 request names its UMO (2010A), requester (2010B) and subscriber (2010C)",
            position=transaction.position,
            tag="ST",
        )
    requests = []
    for event in walk.events:
        codes, quantities = _asked(event)
        own = [q for q in quantities if q is not None]
        first = next((s.hsd or s.billed for s in event.services if s.hsd or s.billed), None)
        kind, quantity = event.hsd or ((first[0] if first else VISITS), sum(own) or 1)
        start, end = event.span or next((s.span for s in event.services if s.span), None) or (None, None)
        requests.append(
            ReviewRequest(
                payer=payer,
                requester=requester,
                subscriber=subscriber,
                trace=event.trace,
                originator=event.originator,
                codes=codes,
                quantity=quantity,
                quantity_kind=kind,
                start=start,
                end=end,
                certification=event.certification or "I",
                service_type=event.service_type or "MH",
                place=event.place or "11",
                diagnoses=tuple(event.diagnoses),
                birth_date=walk.birth_date,
                previous_authorization=event.previous,
                quantities=quantities,
            )
        )
    return requests


def _asked(event: _Event) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
    """The codes asked for, once each, and each one's own quantity (its HSD, or SV1-04; summed when a code comes
    in several services); no quantities when none has its own."""
    found: dict[str, int | None] = {}
    for service in (s for s in event.services if s.code):
        own = service.hsd or service.billed
        earlier = found.get(service.code)
        found[service.code] = (earlier or 0) + own[1] if own else earlier
    quantities = tuple(found.values())
    return tuple(found), quantities if any(q is not None for q in quantities) else ()


def read_278_response(transaction: Transaction, delimiters: Delimiters) -> list[ReviewDecision]:
    """One decision per patient event, each with its services' decisions; a response that could not decide (AAA
    above the event) gives one decision with no action and those rejections."""
    walk = _read(transaction, delimiters)
    if not walk.events:
        return [ReviewDecision(trace="", action="", rejections=tuple(walk.rejections))]
    decisions = []
    for event in walk.events:
        action, number, reason = event.hcr or ("", "", "")
        kind, quantity = event.hsd or ("", None)
        start, end = event.span or (None, None)
        services = tuple(_service_decision(event, service) for service in event.services)
        decisions.append(
            ReviewDecision(
                event.trace, action, number, reason, quantity, kind, start, end, tuple(walk.rejections), services
            )
        )
    return decisions


def _service_decision(event: _Event, service: _Loop) -> ServiceDecision:
    """A service's own HCR, HSD and dates, each taken from the event where the service has none. A certified
    service that gives no number has the event's."""
    action, number, reason = service.hcr or event.hcr or ("", "", "")
    if not number and action in CERTIFIED and event.hcr:
        number = event.hcr[1]
    kind, quantity = service.hsd or event.hsd or ("", None)
    start, end = service.span or event.span or (None, None)
    return ServiceDecision(
        service.code,
        action,
        number,
        reason,
        quantity,
        kind,
        start,
        end,
        service.modifiers,
        quantity_of_event=service.hsd is None and event.hsd is not None,
    )


def _read(transaction: Transaction, delimiters: Delimiters) -> _Walk:
    walk = _Walk(delimiters)
    for segment in transaction.segments:
        walk.take(segment)
    return walk


def _party(segment: Segment) -> Party:
    return Party(segment.get(1), segment.get(2), segment.get(3), segment.get(4), segment.get(8), segment.get(9))


def _span_of(segment: Segment) -> tuple[date, date]:
    text = segment.get(3)
    first, _, last = text.partition("-")
    return _parse_date(segment, first), _parse_date(segment, last or first)


def _date(segment: Segment, number: int) -> date:
    return _parse_date(segment, segment.get(number), number)


def _parse_date(segment: Segment, text: str, number: int = 3) -> date:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _error(segment, number, f"{text!r} is not a CCYYMMDD date") from None


def _int(segment: Segment, number: int) -> int:
    text = segment.get(number)
    try:
        return int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise _error(segment, number, f"{text!r} is not a quantity") from None


def _error(segment: Segment, element: int, reason: str) -> X12Error:
    return X12Error(reason, position=segment.position, tag=segment.tag, element=element)
