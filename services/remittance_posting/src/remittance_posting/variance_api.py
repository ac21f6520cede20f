"""Contract rates (what each practice's contract with a payer allows per code, from a date), the variance items
found against them, and the payers gone silent. Scoped to the tenant and the token's practices."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

from remittance_posting.api import PostingWorkDep
from remittance_posting.variance import rate_key

router = APIRouter()
Code = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Z]{5}$")]
Modifier = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[0-9A-Z]{2}$")]
# 2,000 rates (a version's most), each with four modifiers, pretty-printed: 300 KB.
RATES_BODY_BYTES = 1024 * 1024
PayerId = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._-]+$")]


class Rate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    amount: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


class RatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    practice_id: UUID
    effective_from: date
    rates: list[Rate] = Field(min_length=1, max_length=2000)


class RateOut(Rate):
    effective_from: date


Rates = RootModel[list[RateOut]]


class VarianceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    claim_id: UUID
    remittance_id: UUID
    practice_id: UUID | None
    payer_id: str
    line_number: int | None
    code: str
    paid_code: str
    kind: str  # underpaid | downcoded
    expected: Decimal | None
    allowed: Decimal
    difference: Decimal | None
    reasons: list[str]
    created_at: datetime


class SilenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    payer_id: str
    claims_waiting: int
    oldest_accepted_on: date
    last_payment_on: date | None
    created_at: datetime
    ended_at: datetime | None


class RatePage(BaseModel):
    items: list[RateOut]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class VariancePage(BaseModel):
    items: list[VarianceOut]
    next_cursor: str | None


class SilencePage(BaseModel):
    items: list[SilenceOut]
    next_cursor: str | None


@router.put(
    "/v1/contract-rates/{payer_id}",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN, max_body_bytes=RATES_BODY_BYTES),
    response_model=list[RateOut],
)
async def put_rates(
    payer_id: PayerId, body: RatesIn, request: Request, principal: CurrentPrincipal, uow: PostingWorkDep
) -> JSONResponse:
    """The practice's contract rates with the payer from `effective_from` (the same date again: replaced); returns
    the version it set, by code (every version: `GET /v1/contract-rates/{payer_id}`). Repeatable."""
    rows = sorted((*rate_key(r.code, r.modifiers), r.amount) for r in body.rates)

    async def operation() -> Rates:
        await require_practices(uow, principal, {"practice_id": body.practice_id})
        await uow.variance.put_rates(principal.tenant_id, body.practice_id, payer_id, body.effective_from, rows)
        return Rates([_rate_out(code, modifiers, amount, body.effective_from) for code, modifiers, amount in rows])

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(
    "/v1/contract-rates/{payer_id}",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY),
    response_model=RatePage,
)
async def list_rates(
    payer_id: PayerId,
    practice_id: UUID,
    principal: CurrentPrincipal,
    uow: PostingWorkDep,
    page: OrderedPaging,
    effective_from: date | None = None,
) -> RatePage:
    """The practice's contract rates with the payer, every version (or the one from `effective_from`), the earliest
    first and by code, a page at a time."""
    principal.require_practice(practice_id)
    async with uow:
        found, next_cursor = await uow.variance.rates_of(
            principal.tenant_id, practice_id, payer_id, page, effective_from
        )
    items = [_rate_out(r.code, r.modifiers, r.amount, r.effective_from) for r in found]
    return RatePage(items=items, next_cursor=next_cursor)


def _rate_out(code: str, modifiers: str, amount: Decimal, effective_from: date) -> RateOut:
    return RateOut(
        code=code, modifiers=modifiers.split(":") if modifiers else [], amount=amount, effective_from=effective_from
    )


@router.get("/v1/variances", openapi_extra=allow(Role.BILLER, Role.READ_ONLY), response_model=VariancePage)
async def list_variances(
    principal: CurrentPrincipal,
    uow: PostingWorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
    payer_id: str | None = None,
) -> VariancePage:
    """Underpaid and downcoded lines, newest first, with the expected and allowed amounts and the payer's codes."""
    async with uow:
        rows, next_cursor = await uow.variance.variances_page(principal, practice_id, payer_id, page)
    return VariancePage(items=[VarianceOut.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/v1/payer-silence",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.TENANT_ADMIN),
    response_model=SilencePage,
)
async def payer_silence(principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging) -> SilencePage:
    """Payers reported silent (accepted claims, no payment), the latest report first; the open ones with
    `ended_at` null."""
    async with uow:
        rows, next_cursor = await uow.variance.silences(principal, page)
    return SilencePage(items=[SilenceOut.model_validate(row) for row in rows], next_cursor=next_cursor)
