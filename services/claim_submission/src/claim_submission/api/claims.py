"""Claim submission's REST API: the claims, the work queue (held and rejected), release, void, the X12 sent."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.contracts import Reason
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from claim_submission import handlers
from claim_submission.api import ClaimWorkDep
from claim_submission.domain.claim import Claim
from claim_submission.intake import corrections
from claim_submission.outbound.copies import own_copy
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import release

router = APIRouter()
Status = Literal[
    "ready",
    "held",
    "submitting",
    "submitted",
    "acknowledged",
    "received",
    "accepted",
    "rejected",
    "voided",
    "replaced",
]


class HistoryEntry(BaseModel):
    at: datetime
    status: str
    detail: dict[str, Any]
    actor: str  # who made the change: a token's subject, or `system`


class ClaimLine(BaseModel):
    """A service line as this API shows it (its own shape: a change to charge capture's event does not change it)."""

    model_config = ConfigDict(extra="ignore")

    line_number: int
    code: str
    modifiers: list[str]
    units: int
    amount: Decimal
    diagnosis_pointers: list[int]
    minutes: int | None = None
    prior_authorization_number: str | None = None


class ClaimSummary(BaseModel):
    id: UUID
    practice_id: UUID
    encounter_id: UUID
    status: Status
    frequency: str
    patient_control_number: str
    payer_id: str
    payer_claim_number: str | None
    replaces_claim_id: UUID | None
    total_charge: Decimal
    service_date: date
    reasons: list[Reason]


class ClaimOut(ClaimSummary):
    lines: list[ClaimLine]
    # Its latest changes (at most 50), oldest first as ever; `history_next_cursor` is the `cursor` of the earlier
    # ones at `GET /v1/claims/{id}/history` (None when that was all).
    history: list[HistoryEntry]
    history_next_cursor: str | None
    created_at: datetime
    updated_at: datetime


class HistoryPage(BaseModel):
    items: list[HistoryEntry]
    next_cursor: str | None


class ClaimPage(BaseModel):
    items: list[ClaimSummary]
    next_cursor: UUID | None


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acknowledge: list[Annotated[str, StringConstraints(max_length=80)]] = Field(default_factory=list, max_length=20)


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


@router.get(
    "/v1/claims/{claim_id}",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.EHR_INTEGRATION, audit=Audit.PHI),
    response_model=ClaimOut,
)
async def get_claim(claim_id: UUID, principal: CurrentPrincipal, uow: ClaimWorkDep) -> ClaimOut:
    async with uow:
        return await _full(uow, principal, claim_id)


@router.get(
    "/v1/claims",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.EHR_INTEGRATION, audit=Audit.PHI),
    response_model=ClaimPage,
)
async def list_claims(
    principal: CurrentPrincipal,
    uow: ClaimWorkDep,
    practice_id: UUID | None = None,
    encounter_id: UUID | None = None,
    status: Status | None = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: UUID | None = None,
) -> ClaimPage:
    """The work queue is `status=held` (scrubber findings, an interchange that could not go out) and
    `status=rejected` (999 or 277CA); `overdue=true` lists sent claims still waiting for their 277CA."""
    async with uow:
        page, next_cursor = await uow.claims.page(
            principal,
            practice_id=practice_id,
            encounter_id=encounter_id,
            status=status,
            overdue=overdue,
            limit=limit,
            cursor=cursor,
        )
    return ClaimPage(
        items=[ClaimSummary.model_validate(row, from_attributes=True) for row in page], next_cursor=next_cursor
    )


@router.get(
    "/v1/claims/{claim_id}/history",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.EHR_INTEGRATION, audit=Audit.PHI),
    response_model=HistoryPage,
)
async def claim_history(
    claim_id: UUID, principal: CurrentPrincipal, uow: ClaimWorkDep, page: OrderedPaging
) -> HistoryPage:
    """The claim's history, the latest change first, a page at a time: each change of status, its detail and who
    made it (the claim embeds the first page)."""
    async with uow:
        row = await uow.claims.in_scope(principal, claim_id)
        found, next_cursor = await uow.claims.history_of(row.id, page)
    return HistoryPage(items=[_entry(h) for h in found], next_cursor=next_cursor)


class X12Response(PlainTextResponse):
    media_type = "application/edi-x12"  # documented as it is served


@router.get("/v1/claims/{claim_id}/x12", openapi_extra=allow(Role.BILLER, audit=Audit.PHI), response_class=X12Response)
async def claim_x12(claim_id: UUID, principal: CurrentPrincipal, uow: ClaimWorkDep) -> PlainTextResponse:
    """This claim's 837P as last submitted (its own interchange copy: a batch holds other claims)."""
    async with uow:
        row = await uow.claims.in_scope(principal, claim_id)
        sent = await uow.interchanges.text(row.interchange_number) if row.interchange_number else None
    copy = own_copy(sent, row.patient_control_number) if sent else None
    if copy is None:
        raise NotFound("this claim has not been submitted")
    return X12Response(copy)


@router.post(
    "/v1/claims/{claim_id}/release", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), response_model=ClaimOut
)
async def release_claim(
    claim_id: UUID, body: ReleaseIn, request: Request, principal: CurrentPrincipal, uow: ClaimWorkDep
) -> JSONResponse:
    """Scrub again and send. Findings that billing staff accept on purpose (say, a late claim with proof of
    timely filing) are named in `acknowledge`; anything else still holds the claim (422 lists it)."""

    async def operation() -> ClaimOut:
        row = await uow.claims.in_scope(principal, claim_id)
        await uow.readiness.hold([(row.tenant_id, row.practice_id, row.payer_id)])  # before the claim's row lock
        claim = await handlers.locked_claim(uow, principal.tenant_id, row.id)
        remaining = await release.release(
            uow, claim, acknowledged=body.acknowledge, today=business_date(claim.content.time_zone)
        )
        release.require_releasable(remaining)
        return await _full(uow, principal, claim_id)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.post("/v1/claims/{claim_id}/void", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), response_model=ClaimOut)
async def void_claim(
    claim_id: UUID, body: VoidIn, request: Request, principal: CurrentPrincipal, uow: ClaimWorkDep
) -> JSONResponse:
    """Withdraw the claim: voided here when the payer never had it, else a frequency-8 claim is sent."""

    async def operation() -> ClaimOut:
        claim = await _locked(uow, principal, claim_id)
        await corrections.void(uow, claim, reason=body.reason)
        return await _full(uow, principal, claim_id)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


async def _locked(uow: ClaimWork, principal: Principal, claim_id: UUID) -> Claim:
    """The claim, locked, when the caller may see it (NotFound otherwise)."""
    row = await uow.claims.in_scope(principal, claim_id)
    return await handlers.locked_claim(uow, principal.tenant_id, row.id)


async def _full(uow: ClaimWork, principal: Principal, claim_id: UUID) -> ClaimOut:
    row = await uow.claims.in_scope(principal, claim_id)
    history, more = await uow.claims.history_of(row.id, OrderedPageRequest(EMBEDDED, None))
    return ClaimOut(
        **ClaimSummary.model_validate(row, from_attributes=True).model_dump(),
        lines=row.content["lines"],
        history=[_entry(h) for h in reversed(history)],
        history_next_cursor=more,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _entry(row: Any) -> HistoryEntry:
    return HistoryEntry(at=row.at, status=row.status, detail=row.detail, actor=row.actor)
