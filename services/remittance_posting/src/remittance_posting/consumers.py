"""The events remittance posting consumes: claim submission's claims, mapped into its own `known_claims`."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.claim_submission import ClaimAccepted, ClaimCreated
from claimstream_platform.messaging.consumer import Batched, Handler, batched

from remittance_posting import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ClaimCreated: batched(handlers.on_claims_created),
    ClaimAccepted: batched(handlers.on_claims_accepted),
}
