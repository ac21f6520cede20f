"""Each tenant's billing company as the submitter of its claims (837P 1000A, ISA06/GS02), set through the API.

A tenant with no submitter of its own uses the installation's default when one is configured (a single billing
company's installation); with neither, its claims wait in the work queue, held with `submitter.not-configured`,
and go out as soon as the submitter is set.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from claimstream_platform.contracts import Reason
from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import NotFound
from claimstream_platform.web import CurrentPrincipal, UnitOfWorkDep
from claimstream_platform.x12.text import refuse_unwritable
from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from claim_submission.domain import ClaimStatus
from claim_submission.handlers import store
from claim_submission.repository import claims as claim_store
from claim_submission.repository import submitters
from claim_submission.x837 import Submitter

NOT_CONFIGURED = "submitter.not-configured"
router = APIRouter()
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), AfterValidator(refuse_unwritable)
]


class SubmitterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    submitter_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{2,15}$")]
    name: Text
    contact_name: Text
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9]{10}$")]
    email: Annotated[str, StringConstraints(max_length=80, pattern=r"^[^@\s*~:^]+@[^@\s*~:^]+$")] | None = None

    def as_submitter(self) -> Submitter:
        return Submitter(self.submitter_id, self.name, self.contact_name, self.phone, self.email)


class SubmitterOut(SubmitterIn):
    updated_at: datetime


def not_configured() -> Reason:
    return Reason(rule=NOT_CONFIGURED, field="submitter",
                  message="the tenant's submitter is not set: PUT /v1/submitter, and the claim goes out")  # fmt: skip


async def of_tenants(uow: UnitOfWork, tenant_ids: Iterable[UUID]) -> dict[UUID, Submitter]:
    rows = await submitters.of_tenants(uow, tenant_ids)
    return {
        row.tenant_id: Submitter(row.submitter_id, row.name, row.contact_name, row.phone, row.email) for row in rows
    }


@router.get("/v1/submitter", response_model=SubmitterOut)
async def get_submitter(principal: CurrentPrincipal, uow: UnitOfWorkDep) -> SubmitterOut:
    async with uow:
        row = await submitters.of_tenant(uow, principal.tenant_id)
    if row is None:
        raise NotFound("no submitter is set for this tenant")
    return SubmitterOut.model_validate(row, from_attributes=True)


@router.put("/v1/submitter", response_model=SubmitterOut)
async def put_submitter(body: SubmitterIn, principal: CurrentPrincipal, uow: UnitOfWorkDep) -> SubmitterOut:
    """Set the tenant's submitter (an operator's task: it is the identity its clearinghouse knows). Claims held
    only for the want of one go back to the queue. Repeatable."""
    principal.require_role("operator")
    values = {**body.model_dump(), "updated_at": datetime.now(UTC)}
    async with uow:
        await submitters.put(uow, principal.tenant_id, values)
        await _release_waiting(uow, principal.tenant_id)
        await uow.commit()
    return SubmitterOut(**values)


async def _release_waiting(uow: UnitOfWork, tenant_id: UUID) -> None:
    held = await claim_store.lock_where(uow, statuses=[ClaimStatus.HELD], tenant_id=tenant_id)
    waiting = [claim for claim in held if [r.rule for r in claim.reasons] == [NOT_CONFIGURED]]
    for claim in waiting:
        claim.requeue(released="submitter set")
    await store(uow, waiting)
