"""Events charge capture publishes on `charge-capture.v1`, keyed by encounter.

`ChargeCaptured` carries everything an 837P needs (patient, subscriber, payer, billing and rendering
provider, claim-ready lines), so that claim submission never has to call back. A corrected encounter
publishes `ChargeVoided` for the version it replaces, then `ChargeCaptured` or `ChargeRejected` for the new one.
These events carry PHI by design (a claim cannot be built without it); they never go to logs.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent, Reason

TOPIC = "charge-capture.v1"


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
    # The member id identifies the patient (every Medicaid and CHIP member, most commercial dependents): the claim
    # then goes as the patient's own (SBR02 18, no patient loop), whoever holds the policy.
    patient_has_own_id: bool = False


class Payer(_Part):
    payer_id: str
    name: str
    kind: Literal["medicare", "medicaid", "commercial"]
    claim_filing_indicator: str


class BillingProvider(_Part):
    practice_id: UUID
    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: Address
    entity: Literal["organization", "individual"] = "organization"  # individual: a solo clinician's type-1 NPI
    first_name: str | None = None
    last_name: str | None = None


class ReferringProvider(_Part):
    npi: str
    first_name: str
    last_name: str


class ServiceFacility(_Part):
    name: str
    npi: str | None = None
    address: Address


class SupervisingProvider(_Part):
    """2310D: the licensed supervisor of a pre-licensed rendering clinician, where the payer wants it named."""

    npi: str
    first_name: str
    last_name: str


class RenderingProvider(_Part):
    npi: str
    first_name: str
    last_name: str
    credential: str
    taxonomy: str


class OtherCoverage(Coverage):
    """A coverage that pays after the primary (secondary, tertiary): its payer as set up for the practice."""

    responsibility: Literal["secondary", "tertiary"]
    payer: Payer


class ChargeLine(_Part):
    line_number: int
    code: str
    modifiers: list[str]
    units: int
    amount: Decimal
    diagnosis_pointers: list[int]
    minutes: int | None = None
    prior_authorization_number: str | None = None  # 2400 REF*G1: this line's own authorization


class _EncounterEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "encounter_id"

    encounter_id: UUID
    version: int
    external_id: str
    service_date: date


class EncounterReceived(_EncounterEvent):
    """An EHR posted an encounter (or a corrected version of it); coding follows in the same transaction."""

    event_type: ClassVar[str] = "claimstream.encounter.received.v1"


class ChargeCaptured(_EncounterEvent):
    """An encounter coded into claim-ready charges."""

    event_type: ClassVar[str] = "claimstream.charge.captured.v1"

    place_of_service: str
    telehealth_modality: Literal["video", "audio"] | None = None
    prior_authorization_number: str | None = None
    diagnoses: list[str]  # ICD-10-CM with the dot, principal first
    lines: list[ChargeLine]
    total_amount: Decimal
    patient: Patient
    coverage: Coverage
    payer: Payer
    other_coverages: list[OtherCoverage] = []  # secondary and tertiary, in order: billed once the primary paid
    billing_provider: BillingProvider
    rendering_provider: RenderingProvider  # the supervisor when the payer bills a pre-licensed clinician under them
    supervising_provider: SupervisingProvider | None = None
    referring_provider: ReferringProvider | None = None  # 2310A: HMOs deny referred care without it
    referral_number: str | None = None  # REF*9F
    service_facility: ServiceFacility | None = None  # 2310C, when the service was not at the billing address
    delay_reason_code: str | None = None  # CLM20: why a late claim is late (1-11, 15)
    # The practice's IANA time zone, when it said one: its business dates (claimstream_platform.dates.business_date)
    # are days on its calendar. None: the platform's default.
    time_zone: str | None = None


class ChargeRejected(_EncounterEvent):
    """An encounter that breaks billing rules: held for review with every reason."""

    event_type: ClassVar[str] = "claimstream.charge.rejected.v1"

    reasons: list[Reason]


class ChargeVoided(_EncounterEvent):
    """The charges of `version` no longer stand (the encounter was corrected)."""

    event_type: ClassVar[str] = "claimstream.charge.voided.v1"

    reason: str


FactValue = str | int | bool | list[str] | list[int]


class PayerFactsOverridden(IntegrationEvent):
    """A practice's own knowledge of one payer, where the billing company knows better than our reference data
    (docs/domain/payers.md): `facts` (names and values as `claimstream_platform.payers` reads them) hold from
    `effective_from` to the day before `effective_to`, over ours. Charge capture's set-up API owns them; claim
    submission, denial management and prior authorization keep the latest per practice, payer and start, and an
    empty `facts` withdraws it. No PHI."""

    topic: ClassVar[str] = TOPIC
    event_type: ClassVar[str] = "claimstream.payer.facts-overridden.v1"
    subject_field: ClassVar[str] = "payer_id"

    payer_id: str
    effective_from: date
    effective_to: date | None = None
    facts: dict[str, FactValue]
