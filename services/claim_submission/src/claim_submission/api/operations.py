"""Recovery through the API: interchanges that could not go out, and 999/277CA documents that could not be applied.

Interchanges belong to a tenant, and its billers requeue or cancel them (a token limited to practices only those
whose every claim is of its practices). Inbound documents are listed without their content (PHI), with the reason
each was quarantined: a tenant's biller sees and settles the 999s that answer its own interchanges; an installation
operator sees and settles every document, the 277CAs too (one can carry claims of many tenants, so none is a
tenant's).
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from claimstream_platform import access_log
from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import OPERATOR, Operator, Principal, Role
from claimstream_platform.errors import Conflict, NotFound
from claimstream_platform.idempotency import run_command, run_no_content
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.web import CurrentCaller, CurrentPrincipal
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from claim_submission.api import ClaimWorkDep
from claim_submission.domain.states import ClaimStatus
from claim_submission.handlers import store
from claim_submission.repository import ClaimWork

router = APIRouter()
Number = Annotated[int, Path(ge=1, le=2**63 - 1)]
InterchangeStatus = Literal["pending", "acknowledged", "received", "refused", "quarantined", "requeued", "cancelled"]


class InterchangeOut(BaseModel):
    interchange_number: int
    payer_id: str
    status: str
    reason: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    claims: int


class InterchangePage(BaseModel):
    items: list[InterchangeOut]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class InboundOut(BaseModel):
    id: int
    kind: str
    source: str
    status: str
    reason: str | None
    received_at: datetime


class InboundPage(BaseModel):
    items: list[InboundOut]
    next_cursor: str | None


@router.get("/v1/interchanges", openapi_extra=allow(Role.BILLER), response_model=InterchangePage)
async def list_interchanges(
    principal: CurrentPrincipal,
    uow: ClaimWorkDep,
    page: OrderedPaging,
    status: InterchangeStatus | None = None,
) -> InterchangePage:
    """The tenant's interchanges, newest first, a page at a time; `status=quarantined` is what needs a person. A
    token limited to practices sees only those whose every claim is of its practices, and only those it may
    requeue or cancel."""
    async with uow:
        rows, next_cursor = await uow.interchanges.page(principal.tenant_id, principal.practice_ids, status, page)
    items = [InterchangeOut.model_validate(row, from_attributes=True) for row in rows]
    return InterchangePage(items=items, next_cursor=next_cursor)


@router.post(
    "/v1/interchanges/{number}/requeue",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY),
    response_model=InterchangeOut,
)
async def requeue(number: Number, request: Request, principal: CurrentPrincipal, uow: ClaimWorkDep) -> JSONResponse:
    """After a fix: the interchange's claims that are still held for it go out again, in a new interchange."""
    return await _settle(number, request, principal, uow, "requeued")


@router.post(
    "/v1/interchanges/{number}/cancel",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY),
    response_model=InterchangeOut,
)
async def cancel(number: Number, request: Request, principal: CurrentPrincipal, uow: ClaimWorkDep) -> JSONResponse:
    """Give up on the interchange: its claims stay in the work queue (held), to be released or voided one by one."""
    return await _settle(number, request, principal, uow, "cancelled")


async def _settle(number: int, request: Request, principal: Principal, uow: ClaimWork, outcome: str) -> JSONResponse:
    async def operation() -> InterchangeOut:
        return await _settled(uow, principal, number, outcome)

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)


async def _settled(uow: ClaimWork, principal: Principal, number: int, outcome: str) -> InterchangeOut:
    row = await uow.interchanges.lock(principal.tenant_id, principal.practice_ids, number)
    if row is None:
        raise NotFound("interchange not found")
    if row.status not in ("quarantined", "refused"):
        raise Conflict(f"a {row.status} interchange cannot be {outcome}", field="status")
    await uow.interchanges.set_status(number, outcome)
    if outcome == "requeued":
        held = await uow.claims.lock_where(statuses=[ClaimStatus.HELD], interchange_number=number)
        for claim in held:
            claim.requeue(requeued_from=number)
        await store(uow, held)
    count = await uow.interchanges.claim_count(number)
    return InterchangeOut.model_validate({**row._mapping, "status": outcome, "claims": count})


@router.get("/v1/inbound", openapi_extra=allow(Role.BILLER, OPERATOR, audit=Audit.PHI), response_model=InboundPage)
async def list_inbound(
    caller: CurrentCaller,
    uow: ClaimWorkDep,
    page: OrderedPaging,
    status: Literal["pending", "applied", "quarantined", "discarded"] = "quarantined",
) -> InboundPage:
    """The tenant's documents (999s), newest first, a page at a time; for an installation operator, every
    tenant's and no tenant's."""
    async with uow:
        if isinstance(caller, Operator):
            rows, next_cursor = await uow.documents.page_across_tenants(status, page)
        else:
            caller.require_whole_tenant("a 999")  # it answers a whole interchange, of several practices' claims
            rows, next_cursor = await uow.documents.page(caller.tenant_id, status, page)
    items = [InboundOut.model_validate(row, from_attributes=True) for row in rows]
    return InboundPage(items=items, next_cursor=next_cursor)


@router.post(
    "/v1/inbound/{document_id}/{action}", openapi_extra=allow(Role.BILLER, OPERATOR, audit=Audit.MONEY), status_code=204
)
async def act_on_inbound(
    request: Request,
    document_id: Number,
    action: Literal["retry", "discard"],
    caller: CurrentCaller,
    uow: ClaimWorkDep,
) -> Response:
    """`retry` after a fix (applied on the next pass), or `discard` a document that will never apply. A document
    the caller may not see is not found, as one that does not exist."""
    status = "pending" if action == "retry" else "discarded"

    async def act() -> None:
        if isinstance(caller, Operator):
            settled = await uow.documents.settle_quarantined_across_tenants(document_id, status)
            found = settled is not None
            access_log.touched(settled.tenant_id if settled else None)  # in that tenant's chain: no event says whose
        else:
            found = await uow.documents.settle_quarantined(caller.tenant_id, document_id, status)
        if not found:
            raise NotFound("no quarantined document with this id")

    if isinstance(caller, Operator):
        return await _as_operator(uow, act)
    caller.require_whole_tenant("a 999")
    return await run_no_content(request, principal=caller, uow=uow, body=None, operation=act)


async def _as_operator(uow: ClaimWork, act: Callable[[], Awaitable[None]]) -> Response:
    """An operator's action, committed. No Idempotency-Key is kept for operators (the key table is per tenant);
    a retry or discard sent twice changes nothing the second time and answers 404."""
    async with uow:
        await act()
        await uow.commit()
    return Response(status_code=204)
