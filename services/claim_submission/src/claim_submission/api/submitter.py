"""Each tenant's billing company as the submitter of its claims, set through the API: `GET`/`PUT /v1/submitter`
(what a submitter is and who waits for one: `outbound/submitters.py`)."""

from datetime import UTC, datetime
from typing import Annotated

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal, WholeTenantPrincipal
from claimstream_platform.x12.text import refuse_unwritable
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from claim_submission.api import ClaimWorkDep
from claim_submission.outbound.submitters import release_waiting
from claim_submission.outbound.x837 import Submitter

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


@router.get("/v1/submitter", openapi_extra=allow(Role.TENANT_ADMIN), response_model=SubmitterOut)
async def get_submitter(principal: CurrentPrincipal, uow: ClaimWorkDep) -> SubmitterOut:
    async with uow:
        row = await uow.submitters.of_tenant(principal.tenant_id)
    if row is None:
        raise NotFound("no submitter is set for this tenant")
    return SubmitterOut.model_validate(row, from_attributes=True)


@router.put("/v1/submitter", openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN), response_model=SubmitterOut)
async def put_submitter(
    body: SubmitterIn, request: Request, principal: WholeTenantPrincipal, uow: ClaimWorkDep
) -> JSONResponse:
    """Set the tenant's submitter (its admin's task: it is the identity its clearinghouse knows). Claims held
    only for the want of one go back to the queue. Repeatable."""
    values = {**body.model_dump(), "updated_at": datetime.now(UTC)}

    async def operation() -> SubmitterOut:
        await uow.submitters.put(principal.tenant_id, values)
        await release_waiting(uow, principal.tenant_id)
        return SubmitterOut(**values)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)
