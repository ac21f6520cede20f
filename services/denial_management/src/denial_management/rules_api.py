"""Scrub rules learned from denial patterns: the suggestions with their evidence, and staff's decision (through the
command runner, which commits). An accepted rule goes to claim submission (`ScrubRuleAccepted`), whose scrubber then
holds the claims it matches.

Suggestions are the tenant's, not a practice's: their evidence is counted from every practice's denials, and an
accepted rule holds matching claims of every practice. A token limited to practices may neither read nor decide
them (403, before any suggestion is looked up); splitting them by practice would thin the evidence that makes a
pattern worth a rule."""

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from denial_management.api import DenialWorkDep
from denial_management.repository import DenialWork

router = APIRouter(tags=["prevention"])


class SuggestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    payer_id: str
    procedure_code: str
    carc: str
    category: str
    condition: str  # when the scrubber would hold a claim: missing_authorization, telehealth_at_office, always
    message: str
    claims: int  # the evidence: claims denied so in the window
    amount: Decimal  # and the money
    status: str
    decided_by: str | None
    updated_at: datetime


Decision = Literal["accepted", "rejected"]


class SuggestionPage(BaseModel):
    items: list[SuggestionOut]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


@router.get(
    "/v1/scrub-rule-suggestions",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER),
    response_model=SuggestionPage,
)
async def suggestions(
    principal: CurrentPrincipal,
    uow: DenialWorkDep,
    page: OrderedPaging,
    status: Literal["suggested", "accepted", "rejected"] | None = None,
) -> SuggestionPage:
    """Denial patterns as scrub rules, most money first, a page at a time."""
    principal.require_whole_tenant("scrub-rule suggestions")
    async with uow:
        rows, next_cursor = await uow.rules.listed(principal, status, page)
    return SuggestionPage(items=[SuggestionOut.model_validate(row) for row in rows], next_cursor=next_cursor)


async def _decide(uow: DenialWork, principal: Principal, suggestion_id: UUID, status: Decision) -> SuggestionOut:
    suggestion = await uow.rules.lock(principal, suggestion_id)
    if suggestion is None:
        raise NotFound("rule suggestion not found")
    suggestion.decide(status)
    await uow.rules.decide(suggestion_id, suggestion.status, principal.subject)
    uow.publish_recorded(suggestion)
    return SuggestionOut.model_validate(await uow.rules.one(principal, suggestion_id))


async def _run_decision(
    request: Request, principal: Principal, uow: DenialWork, suggestion_id: UUID, status: Decision
) -> JSONResponse:
    principal.require_whole_tenant("scrub-rule suggestions")

    async def operation() -> SuggestionOut:
        return await _decide(uow, principal, suggestion_id, status)

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)


@router.post(
    "/v1/scrub-rule-suggestions/{suggestion_id}/accept",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=SuggestionOut,
)
async def accept(
    suggestion_id: UUID, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    return await _run_decision(request, principal, uow, suggestion_id, "accepted")


@router.post(
    "/v1/scrub-rule-suggestions/{suggestion_id}/reject",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN),
    response_model=SuggestionOut,
)
async def reject(
    suggestion_id: UUID, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep
) -> JSONResponse:
    return await _run_decision(request, principal, uow, suggestion_id, "rejected")
