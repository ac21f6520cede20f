"""Acknowledgments the clearinghouse sends: the 999 (005010X231A1) and the 277CA (005010X214).

Pure builders: they take what was read and decided, and control numbers, and return X12 text.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from claimstream_platform.x12 import Segment, amount
from claimstream_platform.x12.p837 import Claim, SegmentError

from clearinghouse_simulator.outbound import CLEARINGHOUSE_ID, CLEARINGHOUSE_NAME, Envelope, interchange


@dataclass(frozen=True)
class TransactionResult:
    set_id: str
    control_number: str
    implementation: str
    errors: Sequence[SegmentError]
    trailer_errors: Sequence[str]

    @property
    def accepted(self) -> bool:
        return not self.errors and not self.trailer_errors


@dataclass(frozen=True)
class GroupResult:
    functional_id: str
    control_number: str
    version: str
    transactions: Sequence[TransactionResult]
    trailer_errors: Sequence[str]


def build_999(group: GroupResult, envelope: Envelope) -> str:
    body = [Segment.of("AK1", group.functional_id, group.control_number, group.version)]
    accepted = 0
    for result in group.transactions:
        body.append(Segment.of("AK2", result.set_id, result.control_number, result.implementation))
        for error in result.errors:
            body.append(Segment.of("IK3", error.tag, error.position, error.loop, error.code))
            for element in error.elements:
                body.append(Segment.of("IK4", tuple(element.position.split(":")), element.reference, element.code))
        if result.accepted:
            accepted += 1
            body.append(Segment.of("IK5", "A"))
        else:
            codes = list(result.trailer_errors) or ["5"]  # 5: one or more segments in error
            body.append(Segment.of("IK5", "R", *codes[:5]))
    received = len(group.transactions)
    if group.trailer_errors:
        status = "R"
    elif accepted == received:
        status = "A"
    elif accepted:
        status = "P"
    else:
        status = "R"
    body.append(Segment.of("AK9", status, received, received, accepted, *group.trailer_errors[:5]))
    return interchange("FA", "999", "005010X231A1", body, envelope)


@dataclass(frozen=True)
class ClaimAck:
    claim: Claim
    status: str  # STC01 composite, e.g. "A2:20" or "A7:562:85"
    payer_claim_number: str | None  # for accepted claims

    @property
    def accepted(self) -> bool:
        return self.status.startswith(("A1", "A2"))


@dataclass(frozen=True)
class InformationSource:
    """Who says it (2100A): the clearinghouse (AY, by its ETIN) or the payer (PR, by its payer id)."""

    entity: str
    name: str
    qualifier: str
    id: str


CLEARINGHOUSE = InformationSource("AY", CLEARINGHOUSE_NAME, "46", CLEARINGHOUSE_ID)


def build_277ca(
    acks: Sequence[ClaimAck],
    *,
    submitter_name: str,
    submitter_id: str,
    envelope: Envelope,
    source: InformationSource = CLEARINGHOUSE,
) -> str:
    """One 277CA for the claims of one submission: information source, receiver, providers, patients."""
    day = envelope.now.strftime("%Y%m%d")
    body = [
        Segment.of("BHT", "0085", "08", envelope.interchange_control, day, envelope.now.strftime("%H%M"), "TH"),
        Segment.of("HL", 1, "", "20", 1),
        Segment.of("NM1", source.entity, "2", source.name, "", "", "", "", source.qualifier, source.id),
        Segment.of("TRN", "1", envelope.interchange_control),
        Segment.of("DTP", "050", "D8", day),
        Segment.of("DTP", "009", "D8", day),
        Segment.of("HL", 2, 1, "21", 1),
        Segment.of("NM1", "41", "2", submitter_name, "", "", "", "", "46", submitter_id),
        Segment.of("TRN", "2", envelope.group_control),
        Segment.of("STC", ("A1", "19"), day, "WQ", amount(_total(acks))),
        *_tallies(acks, accepted_qualifier="90", rejected_qualifier="AA"),
        *_providers(acks, envelope, day),
    ]
    return interchange("HN", "277", "005010X214", body, envelope)


def _providers(acks: Sequence[ClaimAck], envelope: Envelope, day: str) -> list[Segment]:
    """The billing provider levels under the receiver (HL 2), each with its patients' claims."""
    hl, body = 2, list[Segment]()
    by_provider: dict[tuple[str, str], list[ClaimAck]] = {}
    for ack in acks:
        by_provider.setdefault((ack.claim.billing_npi, ack.claim.billing_name), []).append(ack)
    for (npi, name), provider_acks in by_provider.items():
        hl += 1
        provider_hl = hl
        body += [
            Segment.of("HL", provider_hl, 2, "19", 1),
            Segment.of("NM1", "85", "2", name, "", "", "", "", "XX", npi),
            Segment.of("TRN", "1", f"{envelope.group_control}{provider_hl}"),
            Segment.of("STC", ("A1", "19"), "", "WQ", amount(_total(provider_acks))),  # STC02 is not used at this level
            *_tallies(provider_acks, accepted_qualifier="QA", rejected_qualifier="QC"),
        ]
        for ack in provider_acks:
            hl += 1
            body += [Segment.of("HL", hl, provider_hl, "PT"), *_patient_status(ack, day)]
    return body


def _patient_status(ack: ClaimAck, day: str) -> list[Segment]:
    claim = ack.claim
    person = claim.patient_person
    served = sorted(line.service_date for line in claim.lines if line.service_date)
    segments = [
        Segment.of("NM1", "QC", "1", person.last_name, person.first_name, "", "", "", "MI", claim.member_id),
        Segment.of("TRN", "2", claim.patient_control_number),
        Segment.of("STC", tuple(ack.status.split(":")), day, "WQ" if ack.accepted else "U", amount(claim.total_charge)),
    ]
    if ack.payer_claim_number:
        segments.append(Segment.of("REF", "1K", ack.payer_claim_number))
    if served and served[0] != served[-1]:
        segments.append(Segment.of("DTP", "472", "RD8", f"{served[0]:%Y%m%d}-{served[-1]:%Y%m%d}"))
    elif served:
        segments.append(Segment.of("DTP", "472", "D8", f"{served[0]:%Y%m%d}"))
    return segments


def _total(acks: Sequence[ClaimAck]) -> Decimal:
    return sum((a.claim.total_charge for a in acks), Decimal(0))


def _tallies(acks: Sequence[ClaimAck], *, accepted_qualifier: str, rejected_qualifier: str) -> list[Segment]:
    """QTY counts then AMT totals of accepted and rejected claims, each only when there are some."""
    accepted = [a for a in acks if a.accepted]
    rejected = [a for a in acks if not a.accepted]
    quantities = [(accepted_qualifier, accepted), (rejected_qualifier, rejected)]
    totals = [("YU", accepted), ("YY", rejected)]
    return [Segment.of("QTY", q, len(group)) for q, group in quantities if group] + [
        Segment.of("AMT", q, amount(_total(group))) for q, group in totals if group
    ]
