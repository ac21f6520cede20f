"""A practice's own facts for its payers, where the billing company knows better than our reference data
(docs/domain/payers.md): set, listed and withdrawn by billing staff, as the rest of set-up. HTTP only: the handlers
record them on the `PayerFactsOverride` aggregate and publish `PayerFactsOverridden`; the command runner commits."""

from datetime import date
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from charge_capture import handlers
from charge_capture.api import CaptureWorkDep
from charge_capture.repository import CaptureWork
from charge_capture.setup_api import payer_in_scope
from charge_capture.setup_schemas import Page, PayerFactsIn, PayerFactsOut

router = APIRouter()
_FACTS = "/v1/practices/{practice_id}/payers/{payer_id}/facts"
FIRST = OrderedPageRequest(EMBEDDED, None)  # what a change answers with: the first page of the overrides


@router.put(
    _FACTS + "/{effective_from}",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=Page[PayerFactsOut],
)
async def put_payer_facts(
    practice_id: UUID,
    payer_id: str,
    effective_from: date,
    body: PayerFactsIn,
    request: Request,
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
) -> JSONResponse:
    """Set the practice's facts for this payer from `effective_from` (the same day again: replaced). Returns the
    first page of the payer's overrides (`next_cursor` pages on with the GET)."""

    async def operation() -> Page[PayerFactsOut]:
        key = await _practice_payer(uow, principal, practice_id, payer_id)
        await handlers.set_payer_facts(uow, key, effective_from, body.effective_to, body.facts)
        return await _page(uow, key, FIRST)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(
    _FACTS, openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY), response_model=Page[PayerFactsOut]
)
async def list_payer_facts(
    practice_id: UUID, payer_id: str, principal: CurrentPrincipal, uow: CaptureWorkDep, page: OrderedPaging
) -> Page[PayerFactsOut]:
    """The practice's overrides of this payer, the earliest start first."""
    async with uow:
        key = await _practice_payer(uow, principal, practice_id, payer_id)
        return await _page(uow, key, page)


@router.delete(
    _FACTS + "/{effective_from}",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=Page[PayerFactsOut],
)
async def withdraw_payer_facts(
    practice_id: UUID,
    payer_id: str,
    effective_from: date,
    request: Request,
    principal: CurrentPrincipal,
    uow: CaptureWorkDep,
) -> JSONResponse:
    """Withdraw the override from `effective_from`: our facts hold again. Returns the first page of the overrides
    that remain."""

    async def operation() -> Page[PayerFactsOut]:
        key = await _practice_payer(uow, principal, practice_id, payer_id)
        await handlers.withdraw_payer_facts(uow, key, effective_from)
        return await _page(uow, key, FIRST)

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)


async def _practice_payer(
    uow: CaptureWork, principal: Principal, practice_id: UUID, payer_id: str
) -> tuple[UUID, UUID, str]:
    """(tenant, practice, payer) of a payer the practice has set up; 404 otherwise (another tenant's too)."""
    payer = await payer_in_scope(uow, principal, practice_id, payer_id)
    return principal.tenant_id, practice_id, str(payer.payer_id)


async def _page(uow: CaptureWork, key: tuple[UUID, UUID, str], page: OrderedPageRequest) -> Page[PayerFactsOut]:
    overrides, next_cursor = await uow.payer_facts.page(*key, page)
    items = [
        PayerFactsOut(
            payer_id=found.payer_id,
            effective_from=found.effective_from,
            effective_to=found.effective_to,
            facts=found.facts,
        )
        for found in overrides
    ]
    return Page(items=items, next_cursor=next_cursor)
