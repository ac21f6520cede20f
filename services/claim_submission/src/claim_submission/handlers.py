"""The step every handler of claim submission ends with: store the claims' moves and publish the events they
recorded (the aggregate records them, `domain.claim.Claim.take_events`), in the caller's transaction."""

from collections.abc import Iterable
from uuid import UUID

from claimstream_platform.errors import NotFound

from claim_submission.domain.claim import Claim
from claim_submission.repository import ClaimWork


def publish(uow: ClaimWork, claims: Iterable[Claim]) -> None:
    uow.publish_recorded(*claims)


async def store(uow: ClaimWork, claims: list[Claim]) -> None:
    """Store the claims' moves and publish what they recorded."""
    await uow.claims.save(claims)
    publish(uow, claims)


async def locked_claim(uow: ClaimWork, tenant_id: UUID, claim_id: UUID) -> Claim:
    claim = await uow.claims.lock(tenant_id, claim_id)
    if claim is None:
        raise NotFound("claim not found")
    return claim
