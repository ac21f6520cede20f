"""278 request for review and response (005010X217): written from and read into the values of review_model.py.

The HL tree: 20 the UMO (2010A NM1*X3), 21 the requester (1P), 22 the subscriber (IL), EV the patient event (TRN,
UM, HCR, DTP, HI), SS a service (UM, HCR, DTP*472, SV1, HSD, NM1*SJ). A decision at a service overrides the
event's (the guide's rule). A value that cannot be read is an X12Error naming the segment and element.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from claimstream_platform.x12.eligibility_model import Party, Rejection
from claimstream_platform.x12.envelope import Transaction, X12Error
from claimstream_platform.x12.review_model import ReviewDecision, ReviewRequest
from claimstream_platform.x12.segments import Delimiters, Segment

IMPLEMENTATION = "005010X217"
LEVELS = {"20": "payer", "21": "requester", "22": "subscriber", "23": "dependent", "EV": "event", "SS": "service"}


def transaction_278_request(request: ReviewRequest, control_number: str, *, created: datetime) -> Transaction:
    """One request as a 278: the event asks for the services, one service loop per code."""
    segments = [
        Segment.of("BHT", "0007", "13", request.trace, created.strftime("%Y%m%d"), created.strftime("%H%M")),
        Segment.of("HL", "1", "", "20", "1"), _nm1(request.payer),
        Segment.of("HL", "2", "1", "21", "1"), _nm1(request.requester),
        Segment.of("HL", "3", "2", "22", "1"), _nm1(request.subscriber),
        *([Segment.of("DMG", "D8", request.birth_date.strftime("%Y%m%d"))] if request.birth_date else []),
        Segment.of("HL", "4", "3", "EV", "1"),
        Segment.of("TRN", "1", request.trace, request.originator),
        Segment.of("UM", "HS", request.certification, request.service_type, (request.place, "B")),
        *([Segment.of("REF", "BB", request.previous_authorization)] if request.previous_authorization else []),
        *_dates("AAH", request.start, request.end),
        *([_hi(request.diagnoses)] if request.diagnoses else []),
    ]  # fmt: skip
    for number, code in enumerate(request.codes, start=5):
        segments += [
            Segment.of("HL", str(number), "4", "SS", "0"),
            Segment.of("UM", "HS", request.certification),
            *_dates("472", request.start, request.end),
            Segment.of("SV1", ("HC", code), "", "UN" if request.quantity_kind != "VS" else "", request.quantity),
            Segment.of("HSD", request.quantity_kind, request.quantity),
            _nm1(request.requester, code="SJ"),
        ]
    return Transaction("278", control_number, IMPLEMENTATION, segments)


def transaction_278_response(request: ReviewRequest, decision: ReviewDecision, control_number: str, *,
                             created: datetime) -> Transaction:  # fmt: skip
    """The payer's answer to one request (the simulator's): the event's decision, repeated for each service."""
    segments = [
        Segment.of("BHT", "0007", "11", request.trace, created.strftime("%Y%m%d"), created.strftime("%H%M")),
        Segment.of("HL", "1", "", "20", "1"), _nm1(request.payer),
        Segment.of("HL", "2", "1", "21", "1"), _nm1(request.requester),
        Segment.of("HL", "3", "2", "22", "1" if not decision.rejections else "0"), _nm1(request.subscriber),
        *(Segment.of("AAA", "N", "", r.reason, r.follow_up) for r in decision.rejections),
    ]  # fmt: skip
    if decision.rejections:
        return Transaction("278", control_number, IMPLEMENTATION, segments)
    hcr = Segment.of("HCR", decision.action, decision.authorization_number, decision.reason)
    segments += [Segment.of("HL", "4", "3", "EV", "1"), Segment.of("TRN", "2", request.trace, request.originator),
                 Segment.of("UM", "HS", request.certification, request.service_type), hcr]  # fmt: skip
    for number, code in enumerate(request.codes, start=5):
        segments += [Segment.of("HL", str(number), "4", "SS", "0"), Segment.of("UM", "HS", request.certification), hcr]
        segments += _dates("472", decision.start, decision.end)
        segments.append(Segment.of("SV1", ("HC", code)))
        if decision.quantity is not None:
            segments.append(Segment.of("HSD", decision.quantity_kind or request.quantity_kind, decision.quantity))
    return Transaction("278", control_number, IMPLEMENTATION, segments)


@dataclass
class _Event:
    trace: str = ""
    originator: str = ""
    certification: str = ""
    service_type: str = ""
    place: str = ""
    previous: str = ""
    decision: dict[str, str] = field(default_factory=dict)  # HCR01..03, the event's then a service's
    span: tuple[date, date] | None = None
    diagnoses: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    quantity: tuple[str, int] | None = None
    service_decided: bool = False


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
            self.level = LEVELS.get(segment.get(3), "")
            if not self.level:
                raise _error(segment, 3, f"HL03 {segment.get(3)!r} is no 278 level")
            if self.level == "event":
                self.events.append(_Event())
        elif tag == "NM1" and self.level in ("payer", "requester", "subscriber", "dependent"):
            self.parties.setdefault(self.level, _party(segment))  # its first NM1: X3, 1P or FA, IL
        elif tag == "AAA":
            self.rejections.append(Rejection(self.level, segment.get(3), segment.get(4), segment.get(1)))
        elif tag == "DMG" and self.level == "subscriber":
            self.birth_date = _date(segment, 2)
        elif self.events and self.level in ("event", "service"):
            _event_segment(self.events[-1], segment, self.level, self.d)


def _event_segment(event: _Event, segment: Segment, level: str, d: Delimiters) -> None:
    tag = segment.tag
    if tag == "TRN" and (segment.get(1) == "2" or not event.trace):
        event.trace, event.originator = segment.get(2), segment.get(3)
    elif tag == "UM" and level == "event":
        event.certification, event.service_type = segment.get(2), segment.get(3)
        event.place = segment.component(4, 1, d)
    elif tag == "REF" and segment.get(1) == "BB":
        event.previous = segment.get(2)
    elif tag == "HCR" and not (level == "event" and event.service_decided):
        event.decision = {"action": segment.get(1), "number": segment.get(2), "reason": segment.get(3)}
        event.service_decided = level == "service"
    elif tag == "DTP" and segment.get(1) in ("472", "AAH", "435") and (level == "service" or event.span is None):
        event.span = _span_of(segment)
    elif tag == "HI":
        event.diagnoses += [e.split(d.component)[1] for e in segment.elements if d.component in e]
    elif tag in ("SV1", "SV2") and level == "service":
        code = segment.component(1 if tag == "SV1" else 2, 2, d)
        if code and code not in event.codes:
            event.codes.append(code)
    elif tag == "HSD" and event.quantity is None:
        event.quantity = (segment.get(1), _int(segment, 2))


def read_278_request(transaction: Transaction, delimiters: Delimiters) -> list[ReviewRequest]:
    walk = _read(transaction, delimiters)
    payer, requester, subscriber = (walk.parties.get(level) for level in ("payer", "requester", "subscriber"))
    if payer is None or requester is None or subscriber is None:
        raise X12Error("a 278 request names its UMO (2010A), requester (2010B) and subscriber (2010C)",
                       position=transaction.position, tag="ST")  # fmt: skip
    requests = []
    for event in walk.events:
        kind, quantity = event.quantity or ("VS", 1)
        start, end = event.span or (None, None)
        requests.append(ReviewRequest(
            payer=payer, requester=requester, subscriber=subscriber, trace=event.trace, originator=event.originator,
            codes=tuple(event.codes), quantity=quantity, quantity_kind=kind, start=start, end=end,
            certification=event.certification or "I", service_type=event.service_type or "MH",
            place=event.place or "11", diagnoses=tuple(event.diagnoses), birth_date=walk.birth_date,
            previous_authorization=event.previous,
        ))  # fmt: skip
    return requests


def read_278_response(transaction: Transaction, delimiters: Delimiters) -> list[ReviewDecision]:
    """One decision per patient event; a response that could not decide (AAA above the event) gives one decision
    with no action and those rejections."""
    walk = _read(transaction, delimiters)
    if not walk.events:
        return [ReviewDecision(trace="", action="", rejections=tuple(walk.rejections))]
    decisions = []
    for event in walk.events:
        kind, quantity = event.quantity if event.quantity else ("", None)
        start, end = event.span if event.span else (None, None)
        decisions.append(ReviewDecision(
            trace=event.trace, action=event.decision.get("action", ""),
            authorization_number=event.decision.get("number", ""), reason=event.decision.get("reason", ""),
            quantity=quantity, quantity_kind=kind, start=start, end=end, rejections=tuple(walk.rejections),
        ))  # fmt: skip
    return decisions


def _read(transaction: Transaction, delimiters: Delimiters) -> _Walk:
    walk = _Walk(delimiters)
    for segment in transaction.segments:
        walk.take(segment)
    return walk


def _nm1(party: Party, *, code: str = "") -> Segment:
    return Segment.of("NM1", code or party.code, party.kind, party.last_or_name, party.first, "", "", "",
                      party.id_qualifier, party.identifier)  # fmt: skip


def _party(segment: Segment) -> Party:
    return Party(segment.get(1), segment.get(2), segment.get(3), segment.get(4), segment.get(8), segment.get(9))


def _hi(diagnoses: Sequence[str]) -> Segment:
    return Segment.of(
        "HI", *((("ABK" if n == 0 else "ABF"), code.replace(".", "")) for n, code in enumerate(diagnoses))
    )


def _dates(qualifier: str, start: date | None, end: date | None) -> list[Segment]:
    if start is None or end is None:
        return []
    return [Segment.of("DTP", qualifier, "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")]


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
        return int(Decimal(text or "0"))
    except (InvalidOperation, ValueError):
        raise _error(segment, number, f"{text!r} is not a quantity") from None


def _error(segment: Segment, element: int, reason: str) -> X12Error:
    return X12Error(reason, position=segment.position, tag=segment.tag, element=element)
