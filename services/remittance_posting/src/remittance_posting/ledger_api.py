"""The provider ledger over HTTP: PLB amounts (interest, recoupments, forward balances) as posted, and the money
payers took back, by the claim it concerns; and what payers overpaid, still theirs. HTTP only: the SQL is in
`uow.reads` and `uow.ledger`."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from remittance_posting import handlers
from remittance_posting.api import PostingWorkDep
from remittance_posting.handlers import PayerRefund

router = APIRouter()


class LedgerEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    remittance_id: UUID
    practice_id: UUID | None
    payee_npi: str
    reason: str
    reference: str
    amount: Decimal
    claim_id: UUID | None
    created_at: datetime


class LedgerPage(BaseModel):
    items: list[LedgerEntry]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


@router.get("/v1/provider-adjustments", openapi_extra=allow(Role.BILLER, Role.READ_ONLY), response_model=LedgerPage)
async def ledger(
    principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging, practice_id: UUID | None = None
) -> LedgerPage:
    """The provider ledger, newest first, a page at a time: interest, recoupments and forward balances (PLB), each
    linked to the claim its reference names when known."""
    async with uow:
        rows, next_cursor = await uow.reads.ledger_page(principal, practice_id, page)
    return LedgerPage(items=[LedgerEntry.model_validate(row) for row in rows], next_cursor=next_cursor)


class TakeBack(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    payee_npi: str
    reference: str
    claim_id: UUID | None
    entries: int
    recovered: Decimal
    carried: Decimal
    open_forward_balance: Decimal
    first_at: datetime
    last_at: datetime


class Reversal(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: UUID
    remittance_id: UUID
    payer_claim_number: str | None
    amount: Decimal
    created_at: datetime


class Recoupments(BaseModel):
    """The first page of each (at most 50, the latest first), and the `cursor` of its next page at
    `/v1/recoupments/provider-level` and `/v1/recoupments/reversals` (None when that was all)."""

    provider_level: list[TakeBack]
    provider_level_next_cursor: str | None
    reversals: list[Reversal]
    reversals_next_cursor: str | None


class TakeBackPage(BaseModel):
    items: list[TakeBack]
    next_cursor: str | None


class ReversalPage(BaseModel):
    items: list[Reversal]
    next_cursor: str | None


@router.get(
    "/v1/recoupments", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI), response_model=Recoupments
)
async def recoupments(principal: CurrentPrincipal, uow: PostingWorkDep, practice_id: UUID | None = None) -> Recoupments:
    """Money the payer took back, by the claim it concerns: PLB recoveries and forward balances (with what is still
    open), and reversals no new payment followed; the first page of each."""
    first = OrderedPageRequest(EMBEDDED, None)
    async with uow:
        taken, more_taken = await uow.ledger.take_backs(principal, practice_id, first)
        reversed_, more_reversed = await uow.ledger.unpaid_reversals(principal, practice_id, first)
    return Recoupments(
        provider_level=[TakeBack.model_validate(row) for row in taken],
        provider_level_next_cursor=more_taken,
        reversals=[Reversal.model_validate(row) for row in reversed_],
        reversals_next_cursor=more_reversed,
    )


@router.get(
    "/v1/recoupments/provider-level",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI),
    response_model=TakeBackPage,
)
async def provider_level_recoupments(
    principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging, practice_id: UUID | None = None
) -> TakeBackPage:
    """PLB recoveries and forward balances per payee, reference and claim, the latest first, a page at a time."""
    async with uow:
        taken, next_cursor = await uow.ledger.take_backs(principal, practice_id, page)
    return TakeBackPage(items=[TakeBack.model_validate(row) for row in taken], next_cursor=next_cursor)


@router.get(
    "/v1/recoupments/reversals",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI),
    response_model=ReversalPage,
)
async def reversal_recoupments(
    principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging, practice_id: UUID | None = None
) -> ReversalPage:
    """Reversals of a claim's payment no new payment followed, the latest first, a page at a time."""
    async with uow:
        reversed_, next_cursor = await uow.ledger.unpaid_reversals(principal, practice_id, page)
    return ReversalPage(items=[Reversal.model_validate(row) for row in reversed_], next_cursor=next_cursor)


class Overpayment(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: UUID
    practice_id: UUID | None
    payer_id: str
    overpaid: Decimal  # beyond the payer's latest word on the claim, less what it recovered since
    since: datetime  # the payment that made it more
    age_days: int = 0
    next_step: str = "the payer's recoupment (a PLB WO or 72 naming the claim), or a refund on its request"


class OverpaymentPage(BaseModel):
    items: list[Overpayment]
    next_cursor: str | None


@router.get(
    "/v1/payer-overpayments",
    openapi_extra=allow(Role.BILLER, Role.TENANT_ADMIN, Role.READ_ONLY, audit=Audit.PHI),
    response_model=OverpaymentPage,
)
async def payer_overpayments(
    principal: CurrentPrincipal, uow: PostingWorkDep, page: OrderedPaging, practice_id: UUID | None = None
) -> OverpaymentPage:
    """The payers' credit balances, the oldest first, with their age: the list beside the patients' credits
    (patient billing's `/v1/credit-balances`); the money stays the payer's until it recoups it or asks for it."""
    async with uow:
        rows, next_cursor = await uow.ledger.overpayments(principal, practice_id, page)
    now = datetime.now(UTC)
    items = [Overpayment.model_validate(row) for row in rows]
    for item in items:
        item.age_days = (now - item.since).days
    return OverpaymentPage(items=items, next_cursor=next_cursor)


class PayerRefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payer_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,80}$")]
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    reference: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,80}$")]  # check number or request ref
    sent_on: date | None = None  # today (the business date) when left out


class PayerRefundOut(BaseModel):
    refund_id: UUID
    claim_id: UUID
    payer_id: str
    amount: Decimal


@router.post(
    "/v1/payer-overpayments/{claim_id}/refunds",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY),
    response_model=PayerRefundOut,
    status_code=201,
)
async def send_payer_refund(
    claim_id: UUID, body: PayerRefundIn, request: Request, principal: CurrentPrincipal, uow: PostingWorkDep
) -> JSONResponse:
    """What a payer overpaid on the claim, sent back on its request: recorded, off the list, and in the ledger."""
    refund = PayerRefund(body.payer_id, body.amount, body.reference, body.sent_on or business_date())

    async def operation() -> PayerRefundOut:
        refund_id = await handlers.send_payer_refund(uow, principal, claim_id, refund)
        return PayerRefundOut(refund_id=refund_id, claim_id=claim_id, payer_id=refund.payer_id, amount=refund.amount)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)
