"""The exceptions queue: claim payments no claim matched, worked by hand.

A tenant's biller sees and assigns its own tenant's (of the practices its token allows). An installation operator
sees every tenant's and those of clearinghouse files no tenant is known for, and may assign any of them. Assigning
gives the payment its claim's tenant; a payment that is already a tenant's goes only to a claim of that tenant.
"""

from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import OPERATOR, Operator, Role
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.web import CurrentCaller
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from remittance_posting import handlers
from remittance_posting.api import ClaimPaymentOut, PaymentPage, PostingWorkDep
from remittance_posting.repository import PostingWork

router = APIRouter()


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claim_id: UUID


@router.get(
    "/v1/remittances/exceptions",
    openapi_extra=allow(Role.BILLER, OPERATOR, audit=Audit.PHI),
    response_model=PaymentPage,
)
async def exceptions(caller: CurrentCaller, uow: PostingWorkDep, page: OrderedPaging) -> PaymentPage:
    """Claim payments that match no claim, oldest first, with the reason, a page at a time: the tenant's; for an
    installation operator, every tenant's and those no tenant is known for."""
    async with uow:
        if isinstance(caller, Operator):
            rows, next_cursor = await uow.reads.exceptions_across_tenants(page)
        else:
            rows, next_cursor = await uow.reads.exceptions_page(caller, page)
    return PaymentPage(items=[ClaimPaymentOut.of(row) for row in rows], next_cursor=next_cursor)


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
        posted = await uow.reads.payment(principal, payment_id)
        assert posted is not None  # assigned to a claim the caller reaches: its posting is the caller's to see
        return ClaimPaymentOut.of(posted)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


async def _assign_as_operator(uow: PostingWork, payment_id: UUID, claim_id: UUID) -> JSONResponse:
    """No Idempotency-Key is kept for operators (the key table is per tenant): the same assignment sent twice finds
    the payment no longer unmatched, answers 404 and changes nothing."""
    async with uow:
        await handlers.assign_across_tenants(uow, payment_id, claim_id)
        row = await uow.reads.payment_across_tenants(payment_id)
        await uow.commit()
    return JSONResponse(ClaimPaymentOut.of(row).model_dump(mode="json"))
