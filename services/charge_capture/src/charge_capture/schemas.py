"""The encounter REST contract: what EHRs send and get back (set-up is `setup_schemas`, field types `fields`).

Parsing checks shape only (types, required fields, formats, NPI check digits). A body that parses but
breaks a billing rule is not refused here: it is stored as `needs_review` with every reason.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from claimstream_platform.contracts import Reason
from pydantic import BaseModel, Field, StringConstraints, model_validator

from charge_capture.coding.engine import TIMED_KINDS, ServiceKind
from charge_capture.fields import (
    AddressIn,
    AuthorizationNumber,
    Code,
    Diagnosis,
    ExternalId,
    Input,
    Minutes,
    Modifier,
    Name,
    Npi,
    PlaceOfService,
    Text,
    Writable,
)

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


class OtherCoverageIn(CoverageIn):
    """A coverage that pays after the primary: billed, with the primary's payment, once the primary has paid."""

    responsibility: Literal["secondary", "tertiary"]


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
    other_coverages: list[OtherCoverageIn] = Field(default_factory=list, max_length=2)
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
        _check_other_coverages(self.coverage, self.other_coverages)
        return self


def _check_other_coverages(primary: CoverageIn, others: list[OtherCoverageIn]) -> None:
    """Each responsibility once, tertiary only after a secondary, and no payer twice."""
    order = [coverage.responsibility for coverage in others]
    if order not in ([], ["secondary"], ["secondary", "tertiary"]):
        raise ValueError("other_coverages: a secondary, then optionally a tertiary, in that order")
    payers = [primary.payer_id, *(coverage.payer_id for coverage in others)]
    if len(set(payers)) != len(payers):
        raise ValueError("other_coverages: each coverage must name another payer")


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
