"""The capture command: an encounter as charge capture's handlers take it, mapped from the HTTP body at the API's
edge (`api_commands.capture_command`). Pure: no HTTP schema, no IO.

It carries the coding engine's own input (`coding`), the keys and set-up it names, what the claim says beyond the
service (in the shapes of the contract claim submission reads), and the body as submitted (given back on GET so that
billing staff can correct and PUT it; its hash tells a repeat from a change).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID

from claimstream_platform.contracts import charge_capture as contract

from charge_capture.coding.engine import Encounter as EngineInput


@dataclass(frozen=True)
class CoverageFacts:
    """A coverage as the EHR gives it; `patient_has_own_id` unsaid defaults by the payer's kind (captured.py)."""

    payer_id: str
    member_id: str
    group_number: str | None
    relationship: Literal["self", "spouse", "child", "other"]
    subscriber: contract.Person | None
    patient_has_own_id: bool | None
    responsibility: Literal["primary", "secondary", "tertiary"] = "primary"


@dataclass(frozen=True)
class ClaimFacts:
    """What the EHR says of the claim beyond the codes: the patient, coverages, referral, facility, lateness."""

    patient: contract.Patient
    coverage: CoverageFacts
    other_coverages: tuple[CoverageFacts, ...]
    diagnoses: tuple[str, ...]
    telehealth_modality: Literal["video", "audio"] | None
    prior_authorization_number: str | None
    referring_provider: contract.ReferringProvider | None
    referral_number: str | None
    service_facility: contract.ServiceFacility | None
    delay_reason_code: str | None


@dataclass(frozen=True)
class CaptureEncounter:
    """Code and keep one encounter (new, or a correction of a stored one)."""

    practice_id: UUID
    external_id: str
    service_date: date
    rendering_provider_npi: str
    supervising_provider_npi: str | None
    coding: EngineInput
    # each procedure's own authorization (2400 REF*G1), by position; empty for a described service
    procedure_authorizations: tuple[str | None, ...]
    claim: ClaimFacts
    request: dict[str, Any]  # the body as submitted, in JSON
    request_hash: str

    @property
    def key(self) -> tuple[UUID, str]:
        return self.practice_id, self.external_id

    @property
    def payer_id(self) -> str:
        return self.claim.coverage.payer_id

    @property
    def other_payer_ids(self) -> tuple[str, ...]:
        return tuple(coverage.payer_id for coverage in self.claim.other_coverages)
