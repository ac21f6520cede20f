"""The claim's content: what claim submission stores and writes into the 837P, in its own classes. Pure.

Charge capture's `ChargeCaptured` is mapped into it once, at the edge (`content_of`), and nothing else in this
service reads that event: a new version of it changes this mapping, not stored claims, the claim API or claim
events. Stored as JSON in `claims.content` (PHI: never logged).
"""

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from pydantic import BaseModel, ConfigDict


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Address(_Part):
    line1: str
    line2: str | None = None
    city: str
    state: str
    postal_code: str


class Person(_Part):
    first_name: str
    last_name: str
    birth_date: date
    sex: Literal["F", "M", "U"]
    address: Address


class Patient(Person):
    external_id: str


class Coverage(_Part):
    payer_id: str
    member_id: str
    group_number: str | None = None
    relationship: Literal["self", "spouse", "child", "other"]
    subscriber: Person | None = None  # None when the patient is the subscriber
    patient_has_own_id: bool = False  # the claim goes as the patient's own (SBR02 18, no patient loop)


class Payer(_Part):
    payer_id: str
    name: str
    kind: Literal["medicare", "medicaid", "commercial"]
    claim_filing_indicator: str


class BillingProvider(_Part):
    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: Address
    entity: Literal["organization", "individual"] = "organization"
    first_name: str | None = None
    last_name: str | None = None


class NamedProvider(_Part):
    """A referring (2310A) or supervising (2310D) provider: named by NPI only."""

    npi: str
    first_name: str
    last_name: str


class RenderingProvider(NamedProvider):
    credential: str
    taxonomy: str


class ServiceFacility(_Part):
    name: str
    npi: str | None = None
    address: Address


class Line(_Part):
    line_number: int
    code: str
    modifiers: list[str]
    units: int
    amount: Decimal
    diagnosis_pointers: list[int]
    minutes: int | None = None
    prior_authorization_number: str | None = None  # 2400 REF*G1


class Adjustment(_Part):
    group: str  # CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal


class LineAdjudication(_Part):
    """What another payer did with one of the claim's lines (2430 SVD, CAS)."""

    line_number: int
    code: str  # as paid
    modifiers: list[str]
    paid: Decimal
    adjustments: list[Adjustment]
    units_paid: Decimal | None = None  # SVC05 as the payer paid them (None: a payment posted before it was kept)


class Adjudication(_Part):
    """What another payer's 835 did with the claim: the COB data a later payer is billed with (2320, 2430)."""

    payer_claim_number: str | None = None
    paid: Decimal
    paid_on: date
    claim_adjustments: list[Adjustment]  # CLP-level CAS only; the lines carry their own
    lines: list[LineAdjudication]

    @property
    def patient_responsibility(self) -> Decimal:
        every = [*self.claim_adjustments, *(a for line in self.lines for a in line.adjustments)]
        return sum((a.amount for a in every if a.group == "PR"), Decimal(0))


Responsibility = Literal["primary", "secondary", "tertiary"]


class OtherPayer(_Part):
    """Another coverage of the patient (2320/2330): one to bill later, or one that paid already."""

    responsibility: Responsibility
    coverage: Coverage
    payer: Payer
    adjudication: Adjudication | None = None  # set once that payer has paid


class ClaimContent(_Part):
    service_date: date
    place_of_service: str
    telehealth_modality: Literal["video", "audio"] | None = None
    prior_authorization_number: str | None = None
    diagnoses: list[str]  # ICD-10-CM with the dot, principal first
    lines: list[Line]
    patient: Patient
    coverage: Coverage
    payer: Payer
    billing_provider: BillingProvider
    rendering_provider: RenderingProvider
    supervising_provider: NamedProvider | None = None
    referring_provider: NamedProvider | None = None
    referral_number: str | None = None
    service_facility: ServiceFacility | None = None
    delay_reason_code: str | None = None
    responsibility: Responsibility = "primary"  # the billed payer's place (SBR01 P, S, T)
    other_payers: list[OtherPayer] = []
    # The practice's IANA time zone (None: the platform's default, US Eastern): the claim's "today" (its filing
    # window, the day a payment is recorded) is a day on the practice's calendar (claimstream_platform.dates).
    # Not written into the 837P; claims stored before it read back with None.
    time_zone: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def prior_payer_paid_on(self) -> date | None:
        """When the latest payer before this one paid (None for a primary claim)."""
        days = [o.adjudication.paid_on for o in self.other_payers if o.adjudication is not None]
        return max(days) if days and self.responsibility != "primary" else None


class Captured(_Part):
    """A coded encounter as claim submission sees it: who and which version, and the content to bill."""

    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID
    version: int
    content: ClaimContent


def line_control_number(patient_control_number: str, line_number: int) -> str:
    """2400 REF*6R: how the 837P names each line, and how the payer's 835 names it back."""
    return f"{patient_control_number}-{line_number}"


def duplicate_key(content: ClaimContent) -> str:
    """Claims of the same member, clinician, day and services: a payer denies the second as a duplicate."""
    codes = ",".join(sorted(f"{line.code}:{':'.join(line.modifiers)}" for line in content.lines))
    key = f"{content.coverage.member_id}|{content.rendering_provider.npi}|{content.service_date}|{codes}"
    # the same services billed to a later payer (COB) are not a duplicate of the primary's claim
    return key if content.responsibility == "primary" else f"{key}|{content.payer.payer_id}"


def content_of(event: ChargeCaptured) -> Captured:
    """The one mapping from charge capture's contract into this service's own model (fields of the same name,
    the practice's time zone among them)."""
    fields = event.model_dump(include=set(ClaimContent.model_fields) - {"other_payers"})
    others = [
        {"responsibility": other.responsibility, "payer": other.payer.model_dump(), "coverage": other.model_dump()}
        for other in event.other_coverages
    ]
    content = ClaimContent.model_validate({**fields, "other_payers": others})
    return Captured(
        tenant_id=event.tenant_id,
        practice_id=event.practice_id,
        encounter_id=event.encounter_id,
        version=event.version,
        content=content,
    )
