"""278 request for review and response (005010X217): written from the values of review_model.py, and read into them
(review_read.py, whose readers this module also offers).

The HL tree: 20 the UMO (2010A NM1*X3), 21 the requester (1P), 22 the subscriber (IL), EV the patient event (TRN,
UM, HCR, DTP, HSD, HI), SS a service (UM, HCR, DTP*472, SV1, HSD, NM1*SJ). Each service is decided on its own: its
HCR, HSD and dates where it has them, the event's where it has none (the guide's rule). HSD counts visits (VS) or
units (FL; UN is read as units too). A value that cannot be read is an X12Error naming the segment and element.
"""

from collections.abc import Sequence
from datetime import date, datetime

from claimstream_platform.x12.eligibility_model import Party
from claimstream_platform.x12.envelope import Transaction
from claimstream_platform.x12.review_model import UNITS, ReviewDecision, ReviewRequest, ServiceDecision, hsd_kind
from claimstream_platform.x12.review_read import read_278_request, read_278_response
from claimstream_platform.x12.segments import Segment

__all__ = [
    "IMPLEMENTATION",
    "read_278_request",
    "read_278_response",
    "transaction_278_request",
    "transaction_278_response",
]

IMPLEMENTATION = "005010X217"


def transaction_278_request(request: ReviewRequest, control_number: str, *, created: datetime) -> Transaction:
    """One request as a 278: the event asks for the whole (its HSD), then one service loop per code, with the
    code's own HSD when it has a quantity of its own."""
    kind = hsd_kind(request.quantity_kind)
    segments = [
        *_parties(request, "13", created, subscriber_children="1"),
        *([Segment.of("DMG", "D8", request.birth_date.strftime("%Y%m%d"))] if request.birth_date else []),
        Segment.of("HL", "4", "3", "EV", "1"),
        Segment.of("TRN", "1", request.trace, request.originator),
        Segment.of("UM", "HS", request.certification, request.service_type, (request.place, "B")),
        *([Segment.of("REF", "BB", request.previous_authorization)] if request.previous_authorization else []),
        *_dates("AAH", request.start, request.end),
        *([_hi(request.diagnoses)] if request.diagnoses else []),
        Segment.of("HSD", kind, request.quantity),
    ]
    for index, code in enumerate(request.codes):
        segments += _requested_service(request, index, code, kind)
    return Transaction("278", control_number, IMPLEMENTATION, segments)


def _requested_service(request: ReviewRequest, index: int, code: str, kind: str) -> list[Segment]:
    own = request.quantity_of(index)
    billed = ("UN", own) if own is not None and kind == UNITS else ("", "")
    return [
        Segment.of("HL", str(index + 5), "4", "SS", "0"),
        Segment.of("UM", "HS", request.certification),
        *_dates("472", request.start, request.end),
        Segment.of("SV1", ("HC", code), "", *billed),
        *([Segment.of("HSD", kind, own)] if own is not None else []),
        _nm1(request.requester, code="SJ"),
    ]


def transaction_278_response(
    request: ReviewRequest, decision: ReviewDecision, control_number: str, *, created: datetime
) -> Transaction:
    """The payer's answer to one request (the simulator's): the event's decision, then each service's; a decision
    that names no services answers every code with the event's."""
    segments = [
        *_parties(request, "11", created, subscriber_children="0" if decision.rejections else "1"),
        *(Segment.of("AAA", "N", "", r.reason, r.follow_up) for r in decision.rejections),
    ]
    if decision.rejections:
        return Transaction("278", control_number, IMPLEMENTATION, segments)
    kind = hsd_kind(decision.quantity_kind or request.quantity_kind)
    segments += [
        Segment.of("HL", "4", "3", "EV", "1"),
        Segment.of("TRN", "2", request.trace, request.originator),
        Segment.of("UM", "HS", request.certification, request.service_type),
        Segment.of("HCR", decision.action, decision.authorization_number, decision.reason),
        *_dates("AAH", decision.start, decision.end),
        *([Segment.of("HSD", kind, decision.quantity)] if decision.quantity is not None else []),
    ]
    services = decision.services or tuple(decision.for_code(code) for code in request.codes)
    for number, service in enumerate(services, start=5):
        segments += _decided_service(number, request, service)
    return Transaction("278", control_number, IMPLEMENTATION, segments)


def _decided_service(number: int, request: ReviewRequest, service: ServiceDecision) -> list[Segment]:
    own = service.quantity is not None and not service.quantity_of_event
    kind = hsd_kind(service.quantity_kind or request.quantity_kind)
    return [
        Segment.of("HL", str(number), "4", "SS", "0"),
        Segment.of("UM", "HS", request.certification),
        Segment.of("HCR", service.action, service.authorization_number, service.reason),
        *_dates("472", service.start, service.end),
        Segment.of("SV1", ("HC", service.code, *service.modifiers)),
        *([Segment.of("HSD", kind, service.quantity)] if own else []),
    ]


def _parties(request: ReviewRequest, purpose: str, created: datetime, *, subscriber_children: str) -> list[Segment]:
    """BHT (13 a request, 11 a response) and the UMO, requester and subscriber levels."""
    return [
        Segment.of("BHT", "0007", purpose, request.trace, created.strftime("%Y%m%d"), created.strftime("%H%M")),
        Segment.of("HL", "1", "", "20", "1"),
        _nm1(request.payer),
        Segment.of("HL", "2", "1", "21", "1"),
        _nm1(request.requester),
        Segment.of("HL", "3", "2", "22", subscriber_children),
        _nm1(request.subscriber),
    ]


def _nm1(party: Party, *, code: str = "") -> Segment:
    return Segment.of(
        "NM1",
        code or party.code,
        party.kind,
        party.last_or_name,
        party.first,
        "",
        "",
        "",
        party.id_qualifier,
        party.identifier,
    )


def _hi(diagnoses: Sequence[str]) -> Segment:
    return Segment.of(
        "HI", *((("ABK" if n == 0 else "ABF"), code.replace(".", "")) for n, code in enumerate(diagnoses))
    )


def _dates(qualifier: str, start: date | None, end: date | None) -> list[Segment]:
    if start is None or end is None:
        return []
    return [Segment.of("DTP", qualifier, "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")]
