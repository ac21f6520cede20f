"""The write-off limit: the most a biller may write off on one case, set by the tenant admin (HTTP only; the
command runner commits). A write-off or bulk write-off over it is refused whole (work.py)."""

from decimal import Decimal

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from denial_management.api import DenialWorkDep
from denial_management.work import DEFAULT_WRITE_OFF_LIMIT

router = APIRouter(tags=["work queue"])


class WriteOffLimitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # as every other body: a field no one reads is refused, not ignored
    per_case: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class WriteOffLimitOut(BaseModel):
    per_case: Decimal
    set_by_admin: bool  # false: the default, no admin has set one


@router.get("/v1/write-off-limit", openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER), response_model=WriteOffLimitOut)
async def get_limit(principal: CurrentPrincipal, uow: DenialWorkDep) -> WriteOffLimitOut:
    async with uow:
        limit = await uow.limits.per_case(principal.tenant_id)
    return WriteOffLimitOut(per_case=limit or DEFAULT_WRITE_OFF_LIMIT, set_by_admin=limit is not None)


@router.put(
    "/v1/write-off-limit",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=WriteOffLimitOut,
)
async def put_limit(
    body: WriteOffLimitIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    async def operation() -> WriteOffLimitOut:
        await uow.limits.set_per_case(principal.tenant_id, body.per_case, principal.subject)
        return WriteOffLimitOut(per_case=body.per_case, set_by_admin=True)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)
