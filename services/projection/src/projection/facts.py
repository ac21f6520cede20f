"""The edge: every service's events mapped into the projection's own facts, keeping only the fields the read
model needs. No names, birth dates, member ids, diagnoses or free text leave this module: the patient is the
practice's patient id, the provider the rendering NPI."""

from datetime import datetime
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import charge_capture as charges
from claimstream_platform.contracts import claim_submission as claims
from claimstream_platform.contracts import denial_management as denials
from claimstream_platform.contracts import patient_billing as patients
from claimstream_platform.contracts import remittance_posting as remittances

from projection.model import Fact

_ENCOUNTER = {"external_id", "service_date", "version"}
_MONEY = {"paid", "charge", "allowed", "patient_responsibility", "outcome", "claim_status", "payer_id", "paid_on"}
_EACH_LINE = "__all__"
_MOVED = {"account_id", "amount", "standing"}

# The fields each event type keeps; an event type not named here is counted for stream health and not stored.
KEPT: dict[type[IntegrationEvent], Any] = {
    charges.EncounterReceived: _ENCOUNTER,
    charges.ChargeCaptured: _ENCOUNTER | {"total_amount"},
    charges.ChargeRejected: _ENCOUNTER,
    charges.ChargeVoided: _ENCOUNTER,
    claims.ClaimCreated: {
        **dict.fromkeys(
            ("payer_id", "frequency", "total_charge", "service_date", "replaces_claim_id", "responsibility",
             "patient_control_number", "place_of_service"),
            True,
        ),
        "lines": {_EACH_LINE: {"line_number", "amount"}},
    },
    claims.ClaimHeld: set(),
    claims.ClaimSubmitted: {"interchange_control_number"},
    claims.ClaimAcknowledged: set(),
    claims.ClaimRejected: {"source"},
    claims.ClaimAccepted: {"payer_claim_number"},
    claims.ClaimResubmitted: {"replaces_claim_id", "frequency"},
    claims.ClaimVoided: set(),
    claims.ClaimAcknowledgmentOverdue: {"status"},
    remittances.PaymentPosted: {
        **dict.fromkeys(_MONEY | {"remittance_id", "payer_claim_number", "adjustments", "remarks", "forwarded"}, True),
        "lines": {_EACH_LINE: {"line_number", "paid", "allowed", "adjustments"}},
    },
    remittances.ClaimDenied: {"remittance_id", "payer_id", "level", "line_number", "code", "amount", "remarks"},
    remittances.ClaimReversed: {"remittance_id", "payer_id", "amount"},
    remittances.PaymentVarianceDetected: {"payer_id", "line_number", "code", "paid_code", "kind", "difference"},
    remittances.ProviderAdjustmentPosted: {"remittance_id", "reason", "amount", "kind"},
    remittances.PayerRefundSent: {"refund_id", "payer_id", "amount"},
    denials.CorrectionRequested: {"resubmit_as", "case_id"},
    denials.DenialTriaged: {"case_id", "payer_id", "kind", "level", "line_number", "codes", "category", "action",
                            "automatic", "recoverable", "deadline", "priority", "deadline_basis"},
    denials.DenialDeadlineApproaching: {"case_id", "deadline", "days_left"},
    denials.AppealFiled: {"case_id", "automatic"},
    denials.DenialReopened: {"case_id"},
    denials.DenialResolved: {"case_id", "resolution", "recovered", "written_off", "automatic"},
    patients.PatientCharged: _MOVED | {"encounter_id", "share"},
    patients.PatientPaymentReceived: _MOVED | {"method", "applied"},
    patients.PatientAdjusted: _MOVED | {"encounter_id", "kind"},
    patients.PatientRefunded: _MOVED | {"method", "taken_from"},
    patients.PatientRefundFailed: _MOVED,
    patients.PatientCreditApplied: _MOVED | {"encounter_id", "taken_from"},
    patients.AccountStandingAnnounced: {"account_id", "standing", "totals"},
}  # fmt: skip


def short_type(event_type: str) -> str:
    """claimstream.claim.created.v1 -> claim.created"""
    return ".".join(event_type.split(".")[1:-1])


def fact_of(event: IntegrationEvent, event_id: UUID, at: datetime, source: str) -> Fact | None:
    """The projection's fact for an event, or None for a type it only counts. A patient account's money is kept
    beside the ledger for the checksum's patient terms (checks.PatientSide), never folded into an encounter."""
    kept = KEPT.get(type(event))
    if kept is None or (isinstance(event, remittances.ProviderAdjustmentPosted) and event.claim_id is None):
        return None  # a provider-level amount that names no claim of ours is the provider ledger's alone
    data = event.model_dump(mode="json", include=kept)
    if isinstance(event, charges.ChargeCaptured):
        data["provider_npi"] = event.rendering_provider.npi
        data["patient_ref"] = event.patient.external_id
    if isinstance(event, claims.ClaimCreated):
        data["codes"] = [line.code for line in event.lines]
    if isinstance(event, claims.ClaimHeld | claims.ClaimRejected | charges.ChargeRejected):
        data["rules"] = [reason.rule for reason in event.reasons]  # the rule names, not the messages
    return Fact(
        event_id=event_id,
        type=short_type(event.event_type),
        at=at,
        source=source,
        tenant_id=event.tenant_id,
        practice_id=event.practice_id,
        encounter_id=None if isinstance(event, patients.MoneyMoved) else getattr(event, "encounter_id", None),
        claim_id=getattr(event, "claim_id", None),
        data=data,
    )
