"""Claims as claim submission announces them (ClaimCreated, a batch handler), and what was said of a claim before it
arrived. The payer's acceptance and claim submission's rejections come on the claim's own topic, the payments and
denials on remittance posting's: a consumer may see those before the claim (another topic, or a dead letter redriven
later). Each handler keeps such an event for its claim (`handlers.known_or_kept`); the claim's arrival applies them
through the same handlers."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.claim_submission import (
    ClaimAccepted,
    ClaimCreated,
    ClaimRejected,
    ClaimStatusReported,
)
from claimstream_platform.contracts.remittance_posting import ClaimDenied, PaymentPosted

from denial_management import acceptances, handlers, payments, status_reports
from denial_management.repository import DenialWork

SAID_OF_A_CLAIM: Mapping[type[IntegrationEvent], Callable[[Any, DenialWork], Awaitable[None]]] = {
    ClaimAccepted: acceptances.on_claim_accepted,
    ClaimRejected: handlers.on_claim_rejected,
    ClaimDenied: handlers.on_claim_denied,
    PaymentPosted: payments.on_payment_posted,
    ClaimStatusReported: status_reports.on_claim_status_reported,
}


async def on_claims_created(deliveries: Sequence[Any], uow: DenialWork) -> None:
    """The claims remembered, then what was said of them before they arrived applied, in the order it came, as if
    it had come after them: under the claims' locks, so an event applied at once waits, or is waited for."""
    created = [d.event for d in deliveries if isinstance(d.event, ClaimCreated)]
    await uow.claims.hold(event.claim_id for event in created)
    await uow.claims.remember([_claim_row(event) for event in created])
    for event in await uow.early_events.take(event.claim_id for event in created):
        await SAID_OF_A_CLAIM[type(event)](event, uow)


def _claim_row(event: ClaimCreated) -> dict[str, Any]:
    return {
        "claim_id": event.claim_id,
        "tenant_id": event.tenant_id,
        "practice_id": event.practice_id,
        "encounter_id": event.encounter_id,
        "patient_control_number": event.patient_control_number,
        "payer_id": event.payer_id,
        "payer_kind": event.payer_kind,
        "service_date": event.service_date,
        "place_of_service": event.place_of_service,
        "lines": [
            {
                "line_number": line.line_number,
                "code": line.code,
                "modifiers": line.modifiers,
                "amount": str(line.amount),
            }
            for line in event.lines
        ],
        "total_charge": event.total_charge,
        "replaces_claim_id": event.replaces_claim_id,
        "patient_ref": (event.patient_ref or "")[:80] or None,
        "authorization_number": (event.prior_authorization_number or "")[:50] or None,
        "prior_payer_paid_on": event.prior_payer_paid_on,
    }
