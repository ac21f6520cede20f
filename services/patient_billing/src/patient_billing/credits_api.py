"""Credit balances, a biller's work: the accounts holding the patients' money beyond what they owe (overpaid copays,
prepayments, a share a payer lowered after she paid it), oldest first, with the day each began and the day it
becomes her state's unclaimed property (unclaimed.py); a refund to her card (through the processor) or by check; or
the credit applied to another visit she owes on. Insurance overpayments stay with remittance posting, which owns
the payers' money (its `/v1/payer-overpayments`, the list beside this one). HTTP only."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from patient_billing.accounts import locked, saved
from patient_billing.api import Money, WorkDep, account_out
from patient_billing.card_payments import ask_refund
from patient_billing.unclaimed import reportable_on

router = APIRouter(tags=["credit balances"])


class CreditOut(BaseModel):
    account_id: UUID
    practice_id: UUID
    patient_ref: str
    credit: Decimal
    since: date | None
    age_days: int | None
    state: str | None  # of her address: whose unclaimed-property law applies
    reportable_on: date | None  # unrefunded and unapplied by then, it is reported to that state (None: not known)


class Credits(BaseModel):
    items: list[CreditOut]


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    payment_id: UUID | None = None  # a card payment of hers: the refund goes back to that card
    check_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,30}$")] | None = None  # or by check

    @model_validator(mode="after")
    def one_way_back(self) -> "RefundIn":
        if (self.payment_id is None) == (self.check_number is None):
            raise ValueError("give the card payment it goes back to (payment_id) or the check's number, one of them")
        return self


class ApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    encounter_id: UUID
    amount: Money


@router.get("/v1/credit-balances", openapi_extra=allow(Role.BILLER, Role.TENANT_ADMIN, audit=Audit.PHI))
async def credit_balances(
    principal: CurrentPrincipal,
    uow: WorkDep,
    practice_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Credits:
    async with uow:
        rows = await uow.online.credits(principal, practice_id, limit)
    today = business_date()
    return Credits(items=[_credit(row, today) for row in rows])


@router.post(
    "/v1/patient-accounts/{account_id}/refunds", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), status_code=201
)
async def refund(
    account_id: UUID, body: RefundIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> Any:
        account = await locked(uow, principal, account_id)
        await ask_refund(uow, account, body.amount, body.payment_id, principal.subject, body.check_number)
        return account_out(account)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post(
    "/v1/patient-accounts/{account_id}/credit-applications",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY),
    status_code=201,
)
async def apply_credit(
    account_id: UUID, body: ApplyIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> Any:
        account = await locked(uow, principal, account_id)
        account.apply_credit(body.encounter_id, body.amount, business_date())
        await saved(uow, account)
        return account_out(account)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


def _credit(row: Any, today: date) -> CreditOut:
    age = (today - row.credit_since).days if row.credit_since else None
    return CreditOut(
        account_id=row.id,
        practice_id=row.practice_id,
        patient_ref=row.patient_ref,
        credit=row.credit,
        since=row.credit_since,
        age_days=age,
        state=row.state,
        reportable_on=reportable_on(row.credit_since, row.state) if row.credit_since else None,
    )
