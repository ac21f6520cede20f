"""The 837P (005010X222A1) generator: claims in, one interchange out. Pure.

One transaction set per billing provider batch, one HL 20 per billing provider, one HL 22 per claim (HL 23 when
the patient is not the subscriber). CLM02 is the sum of SV102 by construction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from claimstream_platform.x12 import FunctionalGroup, Interchange, Segment, Transaction, amount, write_interchange

from claim_submission.domain.content import (
    Address,
    BillingProvider,
    ClaimContent,
    Coverage,
    Person,
    line_control_number,
)
from claim_submission.outbound.x837_cob import line_adjudications, other_payers, sbr

IMPLEMENTATION = "005010X222A1"
RELATIONSHIP = {"spouse": "01", "child": "19", "other": "G8"}  # PAT01 when the patient is not the subscriber
FIRST_CLAIM_HL = 2  # the billing provider is HL 1


@dataclass(frozen=True)
class Party:
    """The receiver (1000B)."""

    id: str
    name: str


@dataclass(frozen=True)
class Submitter:
    """The billing company that sends the claims (1000A, ISA06): its clearinghouse id and its EDI contact."""

    id: str
    name: str
    contact: str
    phone: str  # ten digits
    email: str | None = None


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


@dataclass(frozen=True)
class WrittenClaim:
    """A claim's own loops (2000B, 2000C when the patient is not the member, 2300 and its lines), written once and
    numbered as if it stood alone (its subscriber HL 2): an interchange renumbers them where it places them."""

    claim: ClaimToSend
    segments: list[Segment]


T = TypeVar("T", ClaimToSend, WrittenClaim)


def write_claim(claim: ClaimToSend) -> WrittenClaim:
    """Raises when the claim cannot be written (a correction without the payer's claim number)."""
    return WrittenClaim(claim, _subscriber_and_claim(claim, FIRST_CLAIM_HL))


def transaction_sets(claims: Sequence[T]) -> list[list[T]]:
    """One transaction set per billing provider, in the order of each provider's first claim: ST02 0001, 0002..."""
    by_provider: dict[str, list[T]] = {}
    for claim in claims:
        by_provider.setdefault(_billing_npi(claim), []).append(claim)
    return list(by_provider.values())


def transaction_controls(claims: Sequence[T]) -> dict[str, str]:
    """The ST02 of each billing provider's transaction set."""
    return {_billing_npi(batch[0]): f"{n:04d}" for n, batch in enumerate(transaction_sets(claims), start=1)}


def build_837(
    claims: Sequence[ClaimToSend],
    *,
    submitter: Submitter,
    receiver: Party,
    control_number: str,
    now: datetime,
    usage: str = "P",
) -> str:
    """One interchange, one functional group, one transaction set per billing provider."""
    written = [write_claim(claim) for claim in claims]
    return assemble(
        written, submitter=submitter, receiver=receiver, control_number=control_number, now=now, usage=usage
    )


def assemble(
    written: Sequence[WrittenClaim],
    *,
    submitter: Submitter,
    receiver: Party,
    control_number: str,
    now: datetime,
    usage: str = "P",
) -> str:
    """The interchange of claims already written: the one place its text is made."""
    transactions = [
        Transaction("837", f"{n:04d}", IMPLEMENTATION, _transaction(batch, submitter, receiver, control_number, now))
        for n, batch in enumerate(transaction_sets(written), start=1)
    ]
    group = FunctionalGroup(
        "HC",
        submitter.id,
        receiver.id,
        control_number,
        IMPLEMENTATION,
        transactions,
        date=now.strftime("%Y%m%d"),
        time=now.strftime("%H%M"),
    )
    interchange = Interchange("ZZ", submitter.id, "ZZ", receiver.id, control_number, [group], usage=usage)
    return write_interchange(interchange, now=now)


def renumbered(segments: Sequence[Segment], first_hl: int) -> list[Segment]:
    """A claim's loops (its subscriber HL first) numbered from `first_hl`; the billing provider, HL 1, stays their
    parent."""
    shift = first_hl - int(segments[0].get(1))
    return [
        segment._replace(
            elements=(str(int(segment.get(1)) + shift), _parent(segment.get(2), shift), *segment.elements[2:])
        )
        if segment.tag == "HL"
        else segment
        for segment in segments
    ]


def _parent(parent: str, shift: int) -> str:
    return parent if parent == "1" else str(int(parent) + shift)


def _billing_npi(claim: ClaimToSend | WrittenClaim) -> str:
    content = claim.content if isinstance(claim, ClaimToSend) else claim.claim.content
    return content.billing_provider.npi


def _transaction(
    claims: Sequence[WrittenClaim], submitter: Submitter, receiver: Party, control_number: str, now: datetime
) -> list[Segment]:
    billing = claims[0].claim.content.billing_provider
    segments = [
        Segment.of("BHT", "0019", "00", control_number, now.strftime("%Y%m%d"), now.strftime("%H%M"), "CH"),
        Segment.of("NM1", "41", "2", submitter.name, "", "", "", "", "46", submitter.id),
        Segment.of(
            "PER", "IC", submitter.contact, "TE", submitter.phone, *(("EM", submitter.email) if submitter.email else ())
        ),
        Segment.of("NM1", "40", "2", receiver.name, "", "", "", "", "46", receiver.id),
        Segment.of("HL", 1, "", "20", 1),
        Segment.of("PRV", "BI", "PXC", billing.taxonomy),
        _billing_provider_name(billing),
        *_address(billing.address),
        Segment.of("REF", "EI", billing.tax_id),
    ]
    hl = 1
    for written in claims:
        segments += renumbered(written.segments, hl + 1)
        hl += sum(1 for segment in written.segments if segment.tag == "HL")
    return segments


def _patient_is_the_member(coverage: Coverage) -> bool:
    """005010X222A1: the patient loop (2000C) is used only when the patient cannot be identified by an id of
    their own; a dependent with one (every Medicaid and CHIP member) is sent as the subscriber."""
    return coverage.relationship == "self" or coverage.patient_has_own_id


def _billing_provider_name(billing: BillingProvider) -> Segment:
    """2010AA: an organization (NM102 2) or a solo clinician billing under a type-1 NPI, as a person (NM102 1)."""
    if billing.entity == "individual":
        return Segment.of("NM1", "85", "1", billing.last_name, billing.first_name, "", "", "", "XX", billing.npi)
    return Segment.of("NM1", "85", "2", billing.name, "", "", "", "", "XX", billing.npi)


def _subscriber_and_claim(claim: ClaimToSend, hl: int) -> list[Segment]:
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
        *_address(subscriber.address),
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
            *_address(patient.address),
            Segment.of("DMG", "D8", f"{patient.birth_date:%Y%m%d}", patient.sex),
        ]
    return segments + _claim(claim)


def _claim(claim: ClaimToSend) -> list[Segment]:
    content = claim.content
    delay = [*[""] * 10, content.delay_reason_code] if content.delay_reason_code else []  # CLM10-19, CLM20
    segments = [
        Segment.of(
            "CLM",
            claim.patient_control_number,
            amount(claim.total),
            "",
            "",
            (content.place_of_service, "B", claim.frequency),
            "Y",
            "A",
            "Y",
            "Y",
            *delay,
        ),
    ]
    segments += _claim_references(claim)
    segments.append(
        Segment.of(
            "HI", *(("ABK" if n == 0 else "ABF", code.replace(".", "")) for n, code in enumerate(content.diagnoses))
        )
    )
    segments += _claim_providers(content)
    segments += other_payers(content)
    for line in content.lines:
        procedure = ("HC", line.code, *line.modifiers)
        segments += [
            Segment.of("LX", line.line_number),
            Segment.of(
                "SV1",
                procedure,
                amount(line.amount),
                "UN",
                line.units,
                "",
                "",
                tuple(line.diagnosis_pointers),
            ),
            Segment.of("DTP", "472", "D8", f"{content.service_date:%Y%m%d}"),
            # the line's own authorization goes before its control number (2400 REF order in the guide)
            *([Segment.of("REF", "G1", line.prior_authorization_number)] if line.prior_authorization_number else []),
            Segment.of("REF", "6R", line_control_number(claim.patient_control_number, line.line_number)),
            *line_adjudications(content, line.line_number),
        ]
    return segments


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
            *_address(facility.address),
        ]
    supervisor = content.supervising_provider
    if supervisor is not None:
        segments.append(
            Segment.of("NM1", "DQ", "1", supervisor.last_name, supervisor.first_name, "", "", "", "XX", supervisor.npi)
        )
    return segments


def _address(address: Address) -> list[Segment]:
    street = [Segment.of("N3", address.line1, address.line2 or "")]
    return [*street, Segment.of("N4", address.city, address.state, address.postal_code)]
