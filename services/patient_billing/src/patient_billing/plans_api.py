"""Payment plans' routes: a plan made for what the account owes (an amount a month or a number of months, autopay
with her card token or reminders), the account's plans with their installments, a plan cancelled. HTTP only:
commands through `run_command`."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from patient_billing.api import READERS, Money, WorkDep, account_out
from patient_billing.plan_work import cancel_plan, make_plan
from patient_billing.repository.plans import plan_of

router = APIRouter(tags=["payment plans"])
PLANS = "/v1/patient-accounts/{account_id}/payment-plans"


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per_month: Money | None = None
    months: Annotated[int, Field(ge=2, le=24)] | None = None
    first_due: date | None = None  # a week from today when left out
    autopay_method: Annotated[str, Field(pattern=r"^pm_[A-Za-z0-9_]{1,60}$")] | None = None  # her card token


class InstallmentOut(BaseModel):
    number: int
    due_on: date
    amount: Decimal


class PlanOut(BaseModel):
    id: UUID
    status: str
    total: Decimal
    per_month: Decimal
    paid: Decimal
    left: Decimal
    autopay: bool
    installments: list[InstallmentOut]


def plan_out(row: Any) -> PlanOut:
    plan = plan_of(row)
    installments = [InstallmentOut(**vars(i)) for i in plan.installments]
    fields = {"total": plan.total, "per_month": plan.per_month, "paid": plan.paid, "left": plan.left}
    return PlanOut(
        id=plan.id, status=row.status, autopay=plan.autopay_method is not None, installments=installments, **fields
    )


@router.post(PLANS, openapi_extra=allow(Role.BILLER, Role.FRONT_DESK, audit=Audit.MONEY), status_code=201)
async def new_plan(
    account_id: UUID, body: PlanIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    first_due = body.first_due or business_date() + timedelta(days=7)

    async def operation() -> Any:
        await make_plan(
            uow,
            principal,
            account_id,
            first_due,
            per_month=body.per_month,
            months=body.months,
            autopay=body.autopay_method,
        )
        return plan_out((await uow.plans.of_account(principal, account_id))[-1])

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get(PLANS, openapi_extra=allow(*READERS, audit=Audit.PHI), response_model=list[PlanOut])
async def plans_of(account_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> list[PlanOut]:
    async with uow:
        if await uow.accounts.find(principal, account_id) is None:
            raise NotFound("patient account not found", field="account_id")
        rows = await uow.plans.of_account(principal, account_id)
    return [plan_out(row) for row in rows]


@router.post(PLANS + "/active/cancel", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY))
async def cancel(account_id: UUID, request: Request, principal: CurrentPrincipal, uow: WorkDep) -> JSONResponse:
    async def operation() -> Any:
        return account_out(await cancel_plan(uow, principal, account_id))

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=200)
