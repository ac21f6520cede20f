"""Patient billing's REST API: a patient's account (what she owes visit by visit, her payments, her credit), the
front desk's payments and the billers' adjustments. HTTP only: each command runs through `run_command`, which
commits and answers an Idempotency-Key once."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.contracts.patient_billing import PaymentMethod
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.paging import OrderedPaging
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from patient_billing import handlers
from patient_billing.commands import Adjustment, Payment
from patient_billing.domain import PatientAccount
from patient_billing.repository import PatientBillingWork

router = APIRouter(tags=["patient accounts"])
WorkDep = Annotated[PatientBillingWork, Depends(get_unit_of_work)]
Money = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
READERS = (Role.BILLER, Role.FRONT_DESK, Role.TENANT_ADMIN, Role.READ_ONLY)


class VisitOut(BaseModel):
    encounter_id: UUID
    service_date: date | None
    share: Decimal  # what the insurance left her
    paid: Decimal
    adjusted: Decimal
    open: Decimal  # negative: she paid more than she owes on it
    waiting_for_insurance: bool  # the insurance still owes some of the visit, or has not answered yet


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    amount: Decimal
    method: str  # card | check
    status: str  # requested | sent | refunded | failed


class AccountOut(BaseModel):
    id: UUID
    practice_id: UUID
    patient_ref: str
    balance: Decimal  # what she owes
    credit: Decimal  # her money held beyond what she owes
    unapplied: Decimal  # cash applied to no visit yet
    prepaid: Decimal  # paid at the desk on visits the insurance has not answered
    visits: list[VisitOut]
    refunds: list[RefundOut] = []


class AccountRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    practice_id: UUID
    patient_ref: str
    balance: Decimal
    unapplied: Decimal


class AccountList(BaseModel):
    items: list[AccountRow]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class Aging(BaseModel):
    """What the patients owe by age in days: from the first statement that asked for a visit, before any from the
    day the insurance left it to them."""

    model_config = ConfigDict(from_attributes=True)

    as_of: date
    d0_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d91_120: Decimal
    over_120: Decimal
    accounts: int  # the accounts owing


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    method: PaymentMethod
    received_on: date | None = None  # today (the business date) when left out
    encounter_id: UUID | None = None  # the visit she pays for; else her oldest open visits first


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    encounter_id: UUID
    kind: Literal["small_balance", "hardship"]  # bad debt is the practice's decision on a referred account
    amount: Money
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


def account_out(account: PatientAccount) -> AccountOut:
    visits = [
        VisitOut(
            encounter_id=v.encounter_id,
            service_date=v.service_date,
            share=v.share,
            paid=v.paid,
            adjusted=v.adjusted,
            open=v.open,
            waiting_for_insurance=v.waiting_for_insurance,
        )
        for v in account.oldest_first()
    ]
    return AccountOut(
        id=account.id,
        practice_id=account.practice_id,
        patient_ref=account.patient_ref,
        balance=account.balance,
        credit=account.credit,
        unapplied=account.unapplied,
        prepaid=account.prepaid,
        visits=visits,
    )


@router.get("/v1/patient-accounts", openapi_extra=allow(*READERS, audit=Audit.PHI), response_model=AccountList)
async def list_accounts(
    principal: CurrentPrincipal,
    uow: WorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
    awaiting_decision: bool = False,  # the practice's list: final notices unanswered
) -> AccountList:
    """The largest balance first, a page at a time."""
    async with uow:
        rows, next_cursor = await uow.accounts.listing(
            principal, practice_id, page, awaiting_decision=awaiting_decision
        )
    return AccountList(items=[AccountRow.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get("/v1/patient-ar", openapi_extra=allow(Role.BILLER, Role.TENANT_ADMIN, Role.READ_ONLY), response_model=Aging)
async def patient_ar(principal: CurrentPrincipal, uow: WorkDep, practice_id: UUID | None = None) -> Aging:
    """The patients' part of A/R today, aged."""
    today = business_date()
    async with uow:
        row = await uow.accounts.aging(principal, practice_id, today)
    return Aging.model_validate({**row._mapping, "as_of": today})


@router.get(
    "/v1/patient-accounts/{account_id}", openapi_extra=allow(*READERS, audit=Audit.PHI), response_model=AccountOut
)
async def get_account(account_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> AccountOut:
    async with uow:
        account = await uow.accounts.find(principal, account_id)
        if account is None:
            raise NotFound("patient account not found", field="account_id")
        refunds = await uow.online.refunds_of(account.tenant_id, account.id)
    shown = account_out(account)
    shown.refunds = [RefundOut.model_validate(refund) for refund in refunds]
    return shown


@router.post(
    "/v1/patient-accounts/{account_id}/payments",
    openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.MONEY),
    response_model=AccountOut,
    status_code=201,
)
async def receive_payment(
    account_id: UUID, body: PaymentIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    payment = Payment(uuid4(), body.amount, body.method, body.received_on or business_date(), body.encounter_id)

    async def operation() -> Any:
        return account_out(await handlers.receive_payment(uow, principal, account_id, payment))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post(
    "/v1/patient-accounts/{account_id}/adjustments",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY),
    response_model=AccountOut,
    status_code=201,
)
async def adjust(
    account_id: UUID, body: AdjustmentIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    adjustment = Adjustment(uuid4(), body.encounter_id, body.kind, body.amount, body.reason, principal.subject)

    async def operation() -> Any:
        return account_out(await handlers.adjust(uow, principal, account_id, adjustment))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)
