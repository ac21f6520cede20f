"""The REST contract: what EHRs and billing staff send, and what they get back.

Parsing checks shape only (types, required fields, formats, NPI check digits). A body that parses but
breaks a billing rule is not refused here: it is stored as `needs_review` with every reason.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.identifiers import npi_is_valid
from claimstream_platform.x12.text import refuse_unwritable
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from charge_capture.coding import diagnoses
from charge_capture.coding.engine import TIMED_KINDS, ServiceKind
from charge_capture.coding.policy import shipped_profiles

Writable = AfterValidator(refuse_unwritable)
# Licensed credentials, then pre-licensed ones that bill only under a licensed supervisor (rules.toml §3).
Credential = Literal[
    "MD", "DO", "NP", "PA", "PhD", "PsyD", "LCSW", "LPC", "LMHC", "LMFT", "LMSW", "LPC-A", "LMHC-A", "LMFT-A", "PSYA"
]
PayerKind = Literal["medicare", "medicaid", "commercial"]
# X12 SBR09 claim filing indicator codes.
FilingIndicator = Literal[
    "09", "10", "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA",
    "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
]  # fmt: skip
# Free text that reaches an 837P: refused when X12 cannot carry it (control characters, no Latin letters or
# digits at all); accents and delimiters are accepted and made valid where X12 is written.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Writable]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Writable]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), Writable]
Code = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Z]{5}$")]
Modifier = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Z]{2}$")]
Taxonomy = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9]{3}[0-9A-Z]{6}X$")]
PlaceOfService = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]


def _npi(value: str) -> str:
    if not npi_is_valid(value):
        raise ValueError("must be 10 digits with a valid check digit")
    return value


def _tax_id(value: str) -> str:
    digits = value.replace("-", "")
    if not re.fullmatch(r"[0-9]{9}", digits):
        raise ValueError("must be 9 digits (an EIN, with or without the dash)")
    return digits


def _diagnosis(value: str) -> str:
    if not diagnoses.well_formed(value):
        raise ValueError("must be an ICD-10-CM code such as F33.1 or F331")
    return diagnoses.normalise(value)


Npi = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_npi)]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_tax_id)]
Diagnosis = Annotated[str, AfterValidator(_diagnosis)]
AuthorizationNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Writable]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressIn(Input):
    line1: Name
    line2: Name | None = None
    city: Text
    state: Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}([0-9]{4})?$")]


# --- practice set-up ---


class PracticeIn(Input):
    """A practice, or a solo clinician who bills under their own type-1 NPI (`billing_entity: individual`, with
    the clinician's names: the 837P's billing provider is then a person)."""

    name: Name
    npi: Npi
    tax_id: TaxId
    taxonomy: Taxonomy
    address: AddressIn
    billing_entity: Literal["organization", "individual"] = "organization"
    first_name: Text | None = None
    last_name: Text | None = None

    @model_validator(mode="after")
    def _an_individual_has_names(self) -> "PracticeIn":
        if self.billing_entity == "individual" and not (self.first_name and self.last_name):
            raise ValueError("a practice billing as an individual needs first_name and last_name")
        return self


class PracticeOut(BaseModel):
    id: UUID
    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: AddressIn
    billing_entity: str = "organization"
    first_name: str | None = None
    last_name: str | None = None


class ProviderIn(Input):
    npi: Npi
    first_name: Text
    last_name: Text
    credential: Credential
    taxonomy: Taxonomy


class ProviderOut(ProviderIn):
    id: UUID
    practice_id: UUID


def _profile(value: str | None) -> str | None:
    if value is not None and value not in shipped_profiles():
        raise ValueError(f"must be one of: {', '.join(sorted(shipped_profiles()))}")
    return value


class PayerIn(Input):
    payer_id: ExternalId
    name: Name
    kind: PayerKind
    claim_filing_indicator: FilingIndicator
    policy_profile: Annotated[str | None, AfterValidator(_profile)] = None


class PayerOut(PayerIn):
    id: UUID
    practice_id: UUID


class PolicyOverrideIn(Input):
    effective_from: date
    effective_to: date | None = None
    settings: dict[str, Any] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "PolicyOverrideIn":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class PolicyOverrideOut(PolicyOverrideIn):
    pass


class FeeIn(Input):
    code: Code
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    amount: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class FeeScheduleIn(Input):
    effective_from: date
    entries: list[FeeIn] = Field(min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _one_amount_per_code_and_modifiers(self) -> "FeeScheduleIn":
        keys = [(entry.code, frozenset(entry.modifiers)) for entry in self.entries]
        if len(keys) != len(set(keys)):
            raise ValueError("entries repeat a code with the same modifiers")
        return self


class FeeScheduleOut(BaseModel):
    id: UUID
    payer_id: str
    effective_from: date
    created_at: datetime
    entries: list[FeeIn]


# --- encounters ---


class PersonIn(Input):
    first_name: Text
    last_name: Text
    birth_date: date
    sex: Literal["F", "M", "U"]
    address: AddressIn


class PatientIn(PersonIn):
    external_id: ExternalId


class CoverageIn(Input):
    payer_id: ExternalId
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80), Writable]
    group_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Writable] | None
    ) = None
    relationship: Literal["self", "spouse", "child", "other"]
    subscriber: PersonIn | None = None
    # Whether member_id is the patient's own (not the subscriber's): unsaid, true for Medicaid payers (every
    # Medicaid and CHIP member has one), false otherwise.
    patient_has_own_id: bool | None = None

    @model_validator(mode="after")
    def _subscriber_when_not_self(self) -> "CoverageIn":
        if self.relationship == "self" and self.subscriber is not None:
            raise ValueError("subscriber must be absent when the patient is the subscriber (relationship self)")
        if self.relationship != "self" and self.subscriber is None:
            raise ValueError(f"subscriber is required when the relationship is {self.relationship}")
        return self


class TelehealthIn(Input):
    modality: Literal["video", "audio"]
    patient_at_home: bool = True


class ProcedureIn(Input):
    code: Code
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    units: Annotated[int, Field(ge=1, le=999)] | None = None
    minutes: Minutes | None = None
    diagnosis_pointers: list[Annotated[int, Field(ge=1, le=12)]] = Field(default_factory=list, max_length=4)
    # this service's own authorization (2400 REF*G1), when it is not the encounter's
    prior_authorization_number: AuthorizationNumber | None = None


class ServiceIn(Input):
    kind: ServiceKind
    minutes: Minutes | None = None
    em_code: Code | None = None
    interactive_complexity: bool = False
    evaluation_minutes: Minutes = 0
    administration_minutes: Minutes = 0
    technician_minutes: Minutes = 0
    neuropsychological: bool = False

    @model_validator(mode="after")
    def _what_the_kind_needs(self) -> "ServiceIn":
        if self.kind in TIMED_KINDS and self.minutes is None:
            raise ValueError(f"minutes is required for {self.kind}")
        if self.kind == "psychotherapy_with_em" and self.em_code is None:
            raise ValueError("em_code is required for psychotherapy_with_em")
        testing = self.evaluation_minutes + self.administration_minutes + self.technician_minutes
        if self.kind == "psychological_testing" and testing == 0:
            raise ValueError("psychological_testing needs evaluation, administration or technician minutes")
        return self


class ReferringIn(Input):
    npi: Npi
    first_name: Text
    last_name: Text


class FacilityIn(Input):
    name: Name
    npi: Npi | None = None
    address: AddressIn


# CLM20 delay reason codes (X12 1514): why a claim is filed late, for payers that accept a valid reason.
DelayReason = Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "15"]


class EncounterIn(Input):
    practice_id: UUID
    external_id: ExternalId
    service_date: date
    rendering_provider_npi: Npi
    # the licensed supervisor of a pre-licensed clinician (an associate or intern), set up as a provider too
    supervising_provider_npi: Npi | None = None
    patient: PatientIn
    coverage: CoverageIn
    diagnoses: list[Diagnosis] = Field(min_length=1, max_length=12)
    place_of_service: PlaceOfService
    telehealth: TelehealthIn | None = None
    prior_authorization_number: AuthorizationNumber | None = None
    procedures: list[ProcedureIn] | None = Field(default=None, min_length=1, max_length=50)
    service: ServiceIn | None = None
    referring_provider: ReferringIn | None = None
    referral_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Writable] | None
    ) = None
    service_facility: FacilityIn | None = None  # where the service was, when not at the practice's address
    delay_reason_code: DelayReason | None = None

    @model_validator(mode="after")
    def _one_way_to_say_what_was_done(self) -> "EncounterIn":
        if (self.procedures is None) == (self.service is None):
            raise ValueError("give either procedures or service, not both and not neither")
        if self.patient.birth_date > self.service_date:
            raise ValueError("patient.birth_date is after service_date")
        if len(set(self.diagnoses)) != len(self.diagnoses):
            raise ValueError("diagnoses repeat a code")
        return self


class VoidIn(Input):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ChargeOut(BaseModel):
    line_number: int
    code: str
    modifiers: list[str]
    units: int
    amount: Decimal
    diagnosis_pointers: list[int]
    prior_authorization_number: str | None = None


class EncounterSummary(BaseModel):
    id: UUID
    practice_id: UUID
    external_id: str
    version: int
    status: Literal["coded", "needs_review", "voided"]
    service_date: date
    place_of_service: str
    total_amount: Decimal | None
    charges: list[ChargeOut]
    problems: list[Reason]
    warnings: list[Reason]


class EncounterOut(EncounterSummary):
    encounter: EncounterIn  # as submitted, so that billing staff can correct and PUT it back
    created_at: datetime
    updated_at: datetime


class EncounterPage(BaseModel):
    items: list[EncounterSummary]
    next_cursor: UUID | None


class BatchItemResult(BaseModel):
    index: int
    outcome: Literal["created", "existing", "invalid", "conflict", "not_found"]
    encounter: EncounterSummary | None = None
    errors: list[Reason] = Field(default_factory=list)


class BatchResult(BaseModel):
    created: int
    existing: int
    failed: int
    results: list[BatchItemResult]
