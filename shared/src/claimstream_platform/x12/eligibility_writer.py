"""270 and 271 (005010X279A1) written from the values of eligibility_model.py: our 270s, and the 271s of the
simulator and of tests. Reading is in eligibility.py, which exports these too."""

from datetime import date, datetime

from claimstream_platform.x12.eligibility_model import Benefit, Delivery, Inquiry, Party, Response
from claimstream_platform.x12.envelope import Transaction
from claimstream_platform.x12.segments import Segment

IMPLEMENTATION = "005010X279A1"


def transaction_270(inquiry: Inquiry, control_number: str, *, created: datetime) -> Transaction:
    """One inquiry as a 270 transaction: the payer, the provider, the subscriber and, without an id of their own,
    the dependent, whose loop then carries the trace, dates and service types."""
    ask = [Segment.of("TRN", "1", inquiry.trace, inquiry.originator)]
    segments = [
        Segment.of("BHT", "0022", "13", inquiry.trace, created.strftime("%Y%m%d"), created.strftime("%H%M")),
        Segment.of("HL", "1", "", "20", "1"),
        _nm1(inquiry.payer),
        Segment.of("HL", "2", "1", "21", "1"),
        _nm1(inquiry.provider),
        Segment.of("HL", "3", "2", "22", "1" if inquiry.dependent else "0"),
        *([] if inquiry.dependent else ask),
        _nm1(inquiry.subscriber),
        *_birth(inquiry.birth_date),
    ]
    if inquiry.dependent:
        segments += [
            Segment.of("HL", "4", "3", "23", "0"),
            *ask,
            _nm1(inquiry.dependent),
            *_birth(inquiry.dependent_birth_date),
        ]
    if inquiry.service_date is not None:
        segments.append(Segment.of("DTP", "291", "D8", inquiry.service_date.strftime("%Y%m%d")))
    segments += [Segment.of("EQ", service_type) for service_type in inquiry.service_types]
    return Transaction("270", control_number, IMPLEMENTATION, segments)


def transaction_271(responses: list[Response], control_number: str, *, created: datetime) -> Transaction:
    """The simulator's answer: one 271 with a subscriber loop per response (all of one payer and receiver)."""
    first = responses[0]
    segments = [
        Segment.of("BHT", "0022", "11", first.trace, created.strftime("%Y%m%d"), created.strftime("%H%M")),
        Segment.of("HL", "1", "", "20", "1"),
        _nm1(first.payer),
        Segment.of("HL", "2", "1", "21", "1"),
    ]
    if first.provider is not None:
        segments.append(_nm1(first.provider))
    for number, response in enumerate(responses, start=3):
        segments += [
            Segment.of("HL", str(number), "2", "22", "0"),
            Segment.of("TRN", "2", response.trace, "9SIMULATOR"),
        ]
        if response.subscriber is not None:
            segments.append(_nm1(response.subscriber))
        segments += [Segment.of("AAA", r.valid_request or "N", "", r.reason, r.follow_up) for r in response.rejections]
        segments += [Segment.of("DTP", qualifier, "D8", value) for qualifier, value in response.eligibility_dates]
        for benefit in response.benefits:
            segments += _benefit_segments(benefit)
    return Transaction("271", control_number, IMPLEMENTATION, segments)


def _nm1(party: Party) -> Segment:
    return Segment.of(
        "NM1", party.code, party.kind, party.last_or_name, party.first, "", "", "", party.id_qualifier, party.identifier
    )


def _birth(birth_date: date | None) -> list[Segment]:
    return [Segment.of("DMG", "D8", birth_date.strftime("%Y%m%d"))] if birth_date else []


def _benefit_segments(b: Benefit) -> list[Segment]:
    procedure = ("HC", b.procedure) if b.procedure else ""
    eb = Segment.of(
        "EB",
        b.information,
        b.coverage_level,
        b.service_types[0] if b.service_types else "",
        b.insurance_type,
        b.plan,
        b.period,
        b.amount,
        b.percent,
        b.quantity_qualifier,
        b.quantity,
        b.authorization_required,
        b.in_network,
        procedure,
    )
    segments = [eb, *(_hsd_segment(d) for d in b.deliveries), *(Segment.of("MSG", text) for text in b.messages)]
    for contact in b.contacts:
        segments += [Segment.of("LS", "2120"), _nm1(contact.party)]
        if contact.phone:
            segments.append(Segment.of("PER", "IC", "", "TE", contact.phone))
        segments.append(Segment.of("LE", "2120"))
    return segments


def _hsd_segment(d: Delivery) -> Segment:
    return Segment.of("HSD", d.quantity_qualifier, d.quantity, d.unit, d.sample, d.period, d.periods)
