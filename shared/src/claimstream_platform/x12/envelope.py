"""Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes.

Reading: an interchange that cannot be read at all (no ISA, broken delimiters, a GS or ST out of place,
no trailer) raises `X12Error` with the segment position. Trailers that disagree with what they close (counts,
control numbers) are recorded on the group or transaction as 999 codes, because a clearinghouse reports those
per transaction and goes on.
Writing: the envelopes, counts and fixed-width ISA come from the content; callers supply only the body segments.
"""

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from claimstream_platform.x12.segments import Delimiters, Segment
from claimstream_platform.x12.text import x12_text

ISA_LENGTH = 106


class X12Error(ValueError):
    """The input is not a readable X12 interchange; `position` is the 1-based segment number."""

    def __init__(self, reason: str, *, position: int, tag: str, element: int | None = None) -> None:
        where = f"segment {position} ({tag})" + (f", element {element}" if element else "")
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.position = position
        self.tag = tag
        self.element = element


@dataclass
class Transaction:
    set_id: str  # ST01, e.g. 837
    control_number: str  # ST02
    implementation: str  # ST03, e.g. 005010X222A1
    segments: list[Segment]  # between ST and SE
    trailer_errors: list[str] = field(default_factory=list)  # IK5 codes: 3 control numbers differ, 4 count wrong
    position: int = 0  # of its ST


@dataclass
class FunctionalGroup:
    functional_id: str  # GS01, e.g. HC
    sender: str
    receiver: str
    control_number: str  # GS06
    version: str  # GS08
    transactions: list[Transaction]
    date: str = ""
    time: str = ""
    trailer_errors: list[str] = field(default_factory=list)  # AK9 codes: 4 control numbers differ, 5 count wrong
    position: int = 0  # of its GS


@dataclass
class Interchange:
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    control_number: str  # ISA13, nine digits
    groups: list[FunctionalGroup]
    usage: str = "P"  # ISA15: P production, T test
    date: str = ""  # YYMMDD
    time: str = ""  # HHMM
    delimiters: Delimiters = field(default_factory=Delimiters)


ENVELOPE_TAGS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
MAX_SEGMENTS = 500_000  # an interchange claiming more is refused before it is split: about 20,000 claims


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading a large file makes hundreds of thousands of small objects, none of them in a cycle; the cyclic
    garbage collector, run every few hundred allocations, would walk them again and again (up to a third of the
    reading's time). Paused while reading (the reading never yields to other code), restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_interchange(text: str, *, max_segments: int = MAX_SEGMENTS) -> Interchange:
    with collector_paused():
        return _parse(text, max_segments)


def _parse(text: str, max_segments: int) -> Interchange:
    start = text.lstrip("\ufeff \r\n\t")
    delimiters = _delimiters(start, max_segments)
    segments = _split(start, delimiters)
    assembler = _Assembler(_header(segments[0], delimiters))
    # Only the envelope segments are looked at one by one; a transaction set's body is taken as one slice (a large
    # 835 has hundreds of thousands of segments between a few envelopes).
    after = 1
    for index in [i for i, segment in enumerate(segments) if segment[0] in ENVELOPE_TAGS and i > 0]:
        assembler.body(segments, after, index)
        after = index + 1
        if assembler.take(segments[index]):
            return assembler.interchange
    assembler.body(segments, after, len(segments))
    raise X12Error("the interchange has no IEA trailer", position=len(segments), tag=segments[-1].tag)


def _delimiters(start: str, max_segments: int) -> Delimiters:
    if not start.startswith("ISA") or len(start) < ISA_LENGTH:
        raise X12Error("an interchange starts with a 106-character ISA segment", position=1, tag="ISA")
    delimiters = Delimiters(element=start[3], repetition=start[82], component=start[104], segment=start[105])
    if len({delimiters.element, delimiters.component, delimiters.segment}) != 3:
        raise X12Error("the ISA delimiters are not distinct", position=1, tag="ISA")
    if start.count(delimiters.segment) > max_segments:
        raise X12Error(f"more than {max_segments} segments", position=1, tag="ISA")
    return delimiters


def _header(isa: Segment, delimiters: Delimiters) -> Interchange:
    if len(isa.elements) != 16:
        raise X12Error(f"ISA has {len(isa.elements)} elements, not 16", position=1, tag="ISA")
    return Interchange(
        sender_qualifier=isa.get(5),
        sender_id=isa.get(6).strip(),
        receiver_qualifier=isa.get(7),
        receiver_id=isa.get(8).strip(),
        control_number=isa.get(13),
        groups=[],
        usage=isa.get(15),
        date=isa.get(9),
        time=isa.get(10),
        delimiters=delimiters,
    )


class _Assembler:
    """Puts the segments after ISA into groups and transaction sets, checking each envelope as it closes."""

    def __init__(self, interchange: Interchange) -> None:
        self.interchange = interchange
        self.group: FunctionalGroup | None = None
        self.transaction: Transaction | None = None

    def body(self, segments: list[Segment], start: int, stop: int) -> None:
        """The segments between two envelope segments: the open transaction set's, else out of place."""
        if start >= stop:
            return
        if self.transaction is None:
            first = segments[start]
            raise X12Error("segment outside a transaction set", position=first.position, tag=first.tag)
        self.transaction.segments.extend(segments[start:stop])

    def take(self, segment: Segment) -> bool:
        """An envelope segment (ISA, GS, ST, SE, GE, IEA): True once IEA closed the interchange."""
        tag = segment.tag
        if self.transaction is not None and tag != "SE":
            raise X12Error("transaction set not closed by SE", position=segment.position, tag=tag)
        handler = {"GS": self._gs, "ST": self._st, "SE": self._se, "GE": self._ge, "IEA": self._iea}.get(tag)
        if handler is None:
            raise X12Error("segment outside a transaction set", position=segment.position, tag=tag)
        return handler(segment)

    def _gs(self, segment: Segment) -> bool:
        if self.group is not None:
            raise X12Error("functional group not closed by GE", position=segment.position, tag="GS")
        self.group = FunctionalGroup(
            functional_id=segment.get(1),
            sender=segment.get(2),
            receiver=segment.get(3),
            control_number=segment.get(6),
            version=segment.get(8),
            transactions=[],
            date=segment.get(4),
            time=segment.get(5),
            position=segment.position,
        )
        return False

    def _st(self, segment: Segment) -> bool:
        if self.group is None:
            raise X12Error("ST outside a functional group", position=segment.position, tag="ST")
        version = segment.get(3) or self.group.version
        self.transaction = Transaction(segment.get(1), segment.get(2), version, [], position=segment.position)
        return False

    def _se(self, segment: Segment) -> bool:
        transaction, group = self.transaction, self.group
        if transaction is None or group is None:
            raise X12Error("SE without ST", position=segment.position, tag="SE")
        if segment.get(2) != transaction.control_number:
            transaction.trailer_errors.append("3")
        if segment.get(1) != str(len(transaction.segments) + 2):
            transaction.trailer_errors.append("4")
        group.transactions.append(transaction)
        self.transaction = None
        return False

    def _ge(self, segment: Segment) -> bool:
        group = self.group
        if group is None:
            raise X12Error("GE without GS", position=segment.position, tag="GE")
        if segment.get(2) != group.control_number:
            group.trailer_errors.append("4")
        if segment.get(1) != str(len(group.transactions)):
            group.trailer_errors.append("5")
        self.interchange.groups.append(group)
        self.group = None
        return False

    def _iea(self, segment: Segment) -> bool:
        if self.group is not None:
            raise X12Error("functional group not closed by GE", position=segment.position, tag="IEA")
        if segment.get(2) != self.interchange.control_number:
            raise X12Error("IEA02 does not match ISA13", position=segment.position, tag="IEA", element=2)
        if segment.get(1) != str(len(self.interchange.groups)):
            raise X12Error(
                "IEA01 does not count the functional groups", position=segment.position, tag="IEA", element=1
            )
        return True


def _split(text: str, delimiters: Delimiters) -> list[Segment]:
    segments = []
    for position, raw in enumerate(text.split(delimiters.segment), start=1):
        raw = raw.strip("\r\n\t ")
        if not raw:
            continue
        tag, *elements = raw.split(delimiters.element)
        if not tag.isalnum() or not 2 <= len(tag) <= 3:
            raise X12Error(f"'{tag[:3]}' is not a segment tag", position=position, tag=tag[:3] or "?")
        segments.append(_new_segment(Segment, (tag, tuple(elements), position)))
    return segments


_new_segment = tuple.__new__  # a named tuple made without its Python-level __new__: a third of the split's time


def write_interchange(interchange: Interchange, *, now: datetime | None = None) -> str:
    """The interchange as text: ISA fixed width, GS/ST envelopes, counts and trailers computed here."""
    d = interchange.delimiters
    moment = now or datetime.now()
    out = [_isa(interchange, moment).render(d)]
    for group in interchange.groups:
        out.append(_gs(group, moment).render(d))
        for transaction in group.transactions:
            out.extend(_transaction_lines(transaction, d))
        out.append(Segment.of("GE", len(group.transactions), group.control_number).render(d))
    out.append(Segment.of("IEA", len(interchange.groups), interchange.control_number.rjust(9, "0")).render(d))
    return "\n".join(out) + "\n"


def _isa(interchange: Interchange, moment: datetime) -> Segment:
    """The fixed-width interchange header: every element padded to its width (ISA06/08 15, ISA13 9)."""
    return Segment(
        "ISA",
        (
            "00",
            " " * 10,
            "00",
            " " * 10,
            interchange.sender_qualifier,
            x12_text(interchange.sender_id).ljust(15)[:15],
            interchange.receiver_qualifier,
            x12_text(interchange.receiver_id).ljust(15)[:15],
            interchange.date or moment.strftime("%y%m%d"),
            interchange.time or moment.strftime("%H%M"),
            interchange.delimiters.repetition,
            "00501",
            interchange.control_number.rjust(9, "0"),
            "0",
            interchange.usage,
            interchange.delimiters.component,
        ),
    )


def _gs(group: FunctionalGroup, moment: datetime) -> Segment:
    return Segment.of(
        "GS",
        group.functional_id,
        group.sender,
        group.receiver,
        group.date or moment.strftime("%Y%m%d"),
        group.time or moment.strftime("%H%M"),
        group.control_number,
        "X",
        group.version,
    )


def _transaction_lines(transaction: Transaction, d: Delimiters) -> Iterable[str]:
    yield Segment.of("ST", transaction.set_id, transaction.control_number, transaction.implementation).render(d)
    for segment in transaction.segments:
        yield segment.render(d)
    yield Segment.of("SE", len(transaction.segments) + 2, transaction.control_number).render(d)
