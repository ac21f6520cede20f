"""Events denial management publishes on `denial-management.v1` (the service is not built yet; claim submission
already consumes its correction requests)."""

from typing import ClassVar, Literal
from uuid import UUID

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "denial-management.v1"


class CorrectionRequested(IntegrationEvent):
    """Resubmit a denied or wrong claim: as a replacement (frequency 7) or, where the payer wants it after a
    denial, as a new original (frequency 1)."""

    event_type: ClassVar[str] = "claimstream.claim.correction-requested.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "claim_id"

    claim_id: UUID
    resubmit_as: Literal["replacement", "new_original"]
    reason: str
    prior_authorization_number: str | None = None  # when the correction supplies what was missing
