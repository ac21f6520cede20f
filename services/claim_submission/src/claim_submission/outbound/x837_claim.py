"""A claim's own loops in the 837P (005010X222A1): 2000B subscriber, 2000C patient when the patient is not the
member, 2300 claim and its 2400 lines; the interchange around them is `x837.py`. Pure."""

from dataclasses import dataclass
from decimal import Decimal

from claimstream_platform.x12 import Segment, amount

from claim_submission.domain.content import Address, ClaimContent, Coverage, Line, Person, line_control_number
from claim_submission.outbound.x837_cob import line_adjudications, other_payers, sbr

RELATIONSHIP = {"spouse": "01", "child": "19", "other": "G8"}  # PAT01 when the patient is not the subscriber


@dataclass(frozen=True)
class ClaimToSend:
    patient_control_number: str  # CLM01
    frequency: str  # 1, 7, 8
    content: ClaimContent
    payer_claim_number: str | None = None  # REF*F8 for frequency 7 and 8
    note: str | None = None  # NTE*ADD: why a corrected or void claim was sent

    @property
    def total(self) -> Decimal:
        return self.content.total


def _patient_is_the_member(coverage: Coverage) -> bool:
    """005010X222A1: the patient loop (2000C) is used only when the patient cannot be identified by an id of
    their own; a dependent with one (every Medicaid and CHIP member) is sent as the subscriber."""
    return coverage.relationship == "self" or coverage.patient_has_own_id


def claim_loops(claim: ClaimToSend, hl: int) -> list[Segment]:
    content = claim.content
    coverage = content.coverage
    patient_is_subscriber = _patient_is_the_member(coverage)
    subscriber: Person = content.patient if patient_is_subscriber else coverage.subscriber  # type: ignore[assignment]
    segments = [
        Segment.of("HL", hl, 1, "22", 0 if patient_is_subscriber else 1),
        sbr(
            content.responsibility,
            "18" if patient_is_subscriber else "",
            coverage.group_number,
            content.payer.claim_filing_indicator,
        ),
        Segment.of("NM1", "IL", "1", subscriber.last_name, subscriber.first_name, "", "", "", "MI", coverage.member_id),
        *address(subscriber.address),
        # the subscriber's demographics only when the subscriber is the patient (2010BA DMG)
        *(
            [Segment.of("DMG", "D8", f"{subscriber.birth_date:%Y%m%d}", subscriber.sex)]
            if patient_is_subscriber
            else []
        ),
        Segment.of("NM1", "PR", "2", content.payer.name, "", "", "", "", "PI", content.payer.payer_id),
    ]
    if not patient_is_subscriber:
        patient = content.patient
        segments += [
            Segment.of("HL", hl + 1, hl, "23", 0),
            Segment.of("PAT", RELATIONSHIP[coverage.relationship]),
            Segment.of("NM1", "QC", "1", patient.last_name, patient.first_name),
            *address(patient.address),
            Segment.of("DMG", "D8", f"{patient.birth_date:%Y%m%d}", patient.sex),
        ]
    return segments + _claim(claim)


def _claim(claim: ClaimToSend) -> list[Segment]:
    """2300 and its service lines (2400)."""
    content = claim.content
    delay = [*[""] * 10, content.delay_reason_code] if content.delay_reason_code else []  # CLM10-19, CLM20
    facility = (content.place_of_service, "B", claim.frequency)
    total = amount(claim.total)
    diagnoses = (("ABK" if n == 0 else "ABF", code.replace(".", "")) for n, code in enumerate(content.diagnoses))
    segments = [
        Segment.of("CLM", claim.patient_control_number, total, "", "", facility, "Y", "A", "Y", "Y", *delay),
        *_claim_references(claim),
        Segment.of("HI", *diagnoses),
        *_claim_providers(content),
        *other_payers(content),
    ]
    for line in content.lines:
        segments += _line(claim, line)
    return segments


def _line(claim: ClaimToSend, line: Line) -> list[Segment]:
    """2400: the service, its date, its own authorization and control number, and what other payers paid of it."""
    content = claim.content
    procedure = ("HC", line.code, *line.modifiers)
    pointers = tuple(line.diagnosis_pointers)
    return [
        Segment.of("LX", line.line_number),
        Segment.of("SV1", procedure, amount(line.amount), "UN", line.units, "", "", pointers),
        Segment.of("DTP", "472", "D8", f"{content.service_date:%Y%m%d}"),
        # the line's own authorization goes before its control number (2400 REF order in the guide)
        *([Segment.of("REF", "G1", line.prior_authorization_number)] if line.prior_authorization_number else []),
        Segment.of("REF", "6R", line_control_number(claim.patient_control_number, line.line_number)),
        *line_adjudications(content, line.line_number),
    ]


def _claim_references(claim: ClaimToSend) -> list[Segment]:
    """2300 REF*F8 (the claim a correction replaces), REF*9F referral, REF*G1 prior authorization, NTE*ADD."""
    content, segments = claim.content, []
    if claim.frequency in ("7", "8"):
        if not claim.payer_claim_number:  # a payer cannot match a correction without it (277CA A6:464)
            raise ValueError(f"a frequency-{claim.frequency} claim needs the payer's claim number (REF*F8)")
        segments.append(Segment.of("REF", "F8", claim.payer_claim_number))
    if content.referral_number:
        segments.append(Segment.of("REF", "9F", content.referral_number))
    if content.prior_authorization_number:
        segments.append(Segment.of("REF", "G1", content.prior_authorization_number))
    if claim.note and claim.frequency in ("7", "8"):
        segments.append(Segment.of("NTE", "ADD", claim.note[:80]))
    return segments


def _claim_providers(content: ClaimContent) -> list[Segment]:
    """2310A referring, 2310B rendering (when not the billing provider), 2310C service facility (when the service
    was not at the billing address), 2310D supervising provider (a pre-licensed clinician's supervisor)."""
    segments = []
    referring = content.referring_provider
    if referring is not None:
        segments.append(
            Segment.of("NM1", "DN", "1", referring.last_name, referring.first_name, "", "", "", "XX", referring.npi)
        )
    rendering = content.rendering_provider
    if rendering.npi != content.billing_provider.npi:
        segments += [
            Segment.of("NM1", "82", "1", rendering.last_name, rendering.first_name, "", "", "", "XX", rendering.npi),
            Segment.of("PRV", "PE", "PXC", rendering.taxonomy),
        ]
    facility = content.service_facility
    if facility is not None and facility.address != content.billing_provider.address:
        identified = ("XX", facility.npi) if facility.npi else ()
        segments += [
            Segment.of("NM1", "77", "2", facility.name, "", "", "", "", *identified),
            *address(facility.address),
        ]
    supervisor = content.supervising_provider
    if supervisor is not None:
        segments.append(
            Segment.of("NM1", "DQ", "1", supervisor.last_name, supervisor.first_name, "", "", "", "XX", supervisor.npi)
        )
    return segments


def address(address: Address) -> list[Segment]:
    street = [Segment.of("N3", address.line1, address.line2 or "")]
    return [*street, Segment.of("N4", address.city, address.state, address.postal_code)]
