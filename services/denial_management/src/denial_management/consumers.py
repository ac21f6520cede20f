"""The events denial management consumes: claim submission's claims, acceptances and rejections, remittance
posting's denials and payments, prior authorization's approvals, charge capture's overrides of payer facts (a
practice's own), each mapped into its own model at the edge (acceptances.py, claim_arrival.py, handlers.py,
practice_facts.py); claim status answers that a payer denied a claim (status_reports.py). Each event about a claim is
applied under the claim's lock; the locks are named ahead, so that the consumer takes a whole batch's at once, in one
order."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import PayerFactsOverridden
from claimstream_platform.contracts.claim_submission import (
    ClaimAccepted,
    ClaimCreated,
    ClaimRejected,
    ClaimStatusReported,
)
from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from claimstream_platform.contracts.remittance_posting import ClaimDenied, PaymentPosted
from claimstream_platform.messaging.consumer import Batched, Handler, Locks, batched

from denial_management import acceptances, claim_arrival, handlers, payments, practice_facts, status_reports
from denial_management.repository.claims import claim_lock

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ClaimCreated: batched(claim_arrival.on_claims_created),
    ClaimAccepted: batched(acceptances.on_claims_accepted),
    ClaimRejected: handlers.on_claim_rejected,
    ClaimDenied: handlers.on_claim_denied,
    ClaimStatusReported: status_reports.on_claim_status_reported,
    PaymentPosted: batched(payments.on_payments_posted),
    AuthorizationApproved: handlers.on_authorization_approved,
    PayerFactsOverridden: practice_facts.on_payer_facts_overridden,
}


def _claim(
    event: ClaimCreated | ClaimAccepted | ClaimRejected | ClaimDenied | ClaimStatusReported | PaymentPosted,
) -> list[str]:
    """The claim the event is about (`handlers.known_or_kept`, `claim_arrival.on_claims_created`)."""
    return [claim_lock(event.claim_id)]


LOCKS: Locks = dict.fromkeys(
    (ClaimCreated, ClaimAccepted, ClaimRejected, ClaimDenied, ClaimStatusReported, PaymentPosted), _claim
)
