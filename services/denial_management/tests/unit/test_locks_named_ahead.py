"""Every event a handler applies under its claim's lock (`handlers.known_or_kept`, `claim_arrival`) names that lock
ahead, so that the consumer takes a batch's at once, in one order, and the handler asks for nothing more."""

from uuid import uuid4

from claimstream_platform.contracts.claim_submission import (
    ClaimAccepted,
    ClaimCreated,
    ClaimRejected,
    ClaimStatusReported,
)
from claimstream_platform.contracts.remittance_posting import ClaimDenied, PaymentPosted
from denial_management.consumers import LOCKS, SUBSCRIPTIONS
from denial_management.repository.claims import claim_lock


def test_each_claim_event_names_its_claims_lock() -> None:
    for kind in (ClaimCreated, ClaimAccepted, ClaimRejected, ClaimDenied, ClaimStatusReported, PaymentPosted):
        event = kind.model_construct(claim_id=uuid4())
        assert kind in SUBSCRIPTIONS
        assert list(LOCKS[kind](event)) == [claim_lock(event.claim_id)]
        assert claim_lock(event.claim_id).startswith("denial-management:")  # the database's locks are shared
