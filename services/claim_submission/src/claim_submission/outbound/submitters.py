"""Each tenant's billing company as the submitter of its claims (837P 1000A, ISA06/GS02).

A tenant with no submitter of its own uses the installation's default when one is configured (a single billing
company's installation); with neither, its claims wait in the work queue, held with `submitter.not-configured`,
and go out as soon as the submitter is set (`api/submitter.py`).
"""

from collections.abc import Iterable
from uuid import UUID

from claimstream_platform.contracts import Reason

from claim_submission.domain.states import ClaimStatus
from claim_submission.handlers import store
from claim_submission.outbound.x837 import Submitter
from claim_submission.repository import ClaimWork

NOT_CONFIGURED = "submitter.not-configured"


def not_configured() -> Reason:
    return Reason(
        rule=NOT_CONFIGURED,
        field="submitter",
        message="the tenant's submitter is not set: PUT /v1/submitter, and the claim goes out",
    )


async def of_tenants(uow: ClaimWork, tenant_ids: Iterable[UUID]) -> dict[UUID, Submitter]:
    rows = await uow.submitters.of_tenants(tenant_ids)
    return {
        row.tenant_id: Submitter(row.submitter_id, row.name, row.contact_name, row.phone, row.email) for row in rows
    }


async def release_waiting(uow: ClaimWork, tenant_id: UUID) -> None:
    """The tenant's submitter is set: claims held only for the want of one go back to the queue."""
    held = await uow.claims.lock_where(statuses=[ClaimStatus.HELD], tenant_id=tenant_id)
    waiting = [claim for claim in held if [r.rule for r in claim.reasons] == [NOT_CONFIGURED]]
    for claim in waiting:
        claim.requeue(released="submitter set")
    await store(uow, waiting)
