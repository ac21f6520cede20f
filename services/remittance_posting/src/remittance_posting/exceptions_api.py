"""The exceptions queue: claim payments no claim matched, worked by hand.

A tenant's biller sees and assigns its own tenant's (of the practices its token allows). An installation operator
sees every tenant's and those of clearinghouse files no tenant is known for, and may assign any of them. Assigning
gives the payment its claim's tenant; a payment that is already a tenant's goes only to a claim of that tenant.
"""

from typing import Annotated
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import OPERATOR, Operator, Role
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentCaller
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from remittance_posting import handlers
from remittance_posting.api import ClaimPaymentOut, PostingWorkDep
from remittance_posting.repository import PostingWork

router = APIRouter()


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claim_id: UUID


@router.get(
    "/v1/remittances/exceptions",
    openapi_extra=allow(Role.BILLER, OPERATOR, audit=Audit.PHI),
    response_model=list[ClaimPaymentOut],
)
async def exceptions(
    caller: CurrentCaller, uow: PostingWorkDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ClaimPaymentOut]:
    """Claim payments that match no claim, oldest first, with the reason: the tenant's; for an installation
    operator, every tenant's and those no tenant is known for."""
    async with uow:
        if isinstance(caller, Operator):
            rows = await uow.reads.exceptions_across_tenants(limit)
        else:
            rows = await uow.reads.exceptions_page(caller, limit)
    return [ClaimPaymentOut.of(row) for row in rows]


@router.post(
    "/v1/remittances/exceptions/{payment_id}/assign",
    openapi_extra=allow(Role.BILLER, OPERATOR, audit=Audit.MONEY),
    response_model=ClaimPaymentOut,
)
async def assign(
    payment_id: UUID, body: AssignIn, request: Request, caller: CurrentCaller, uow: PostingWorkDep
) -> JSONResponse:
    """Post an unmatched claim payment to the claim a user names. A payment or claim the caller may not reach is
    not found, as one that does not exist."""
    if isinstance(caller, Operator):
        return await _assign_as_operator(uow, payment_id, body.claim_id)
    principal = caller

    async def operation() -> ClaimPaymentOut:
        await handlers.assign(uow, principal, payment_id, body.claim_id)
        (row,) = [r for r in await uow.reads.postings_of(principal, body.claim_id) if r.id == payment_id]
        return ClaimPaymentOut.of(row)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


async def _assign_as_operator(uow: PostingWork, payment_id: UUID, claim_id: UUID) -> JSONResponse:
    """No Idempotency-Key is kept for operators (the key table is per tenant): the same assignment sent twice finds
    the payment no longer unmatched, answers 404 and changes nothing."""
    async with uow:
        await handlers.assign_across_tenants(uow, payment_id, claim_id)
        row = await uow.reads.payment_across_tenants(payment_id)
        await uow.commit()
    return JSONResponse(ClaimPaymentOut.of(row).model_dump(mode="json"))
