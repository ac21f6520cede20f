"""Patient billing's statement routes: a patient's contact and hold, each practice's statement settings, a run
now (the loop runs them on the cycle day), the statements of an account, one statement's PDF and a day's printed
statements as one PDF for the mail house. HTTP only: commands through `run_command`."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.pdf import render_pdf, wrap
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from patient_billing.accounts import locked, saved
from patient_billing.api import READERS, WorkDep, account_out
from patient_billing.statement_run import run_statements
from patient_billing.statements import StatementPolicy

router = APIRouter(tags=["statements"])
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}\.[A-Za-z]{2,}$", max_length=254)]
SETTINGS = "/v1/practices/{practice_id}/statement-settings"


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email | None = None
    statements_by: Literal["email", "print"] = "print"


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_hold: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)] | None = None


class SettingsIO(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle_day: Annotated[int, Field(ge=1, le=28)] = 1  # 28 at most: every month has the day
    minimum_balance: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] = Decimal("5.00")
    due_days: Annotated[int, Field(ge=7, le=90)] = 21


class RunOut(BaseModel):
    outcomes: dict[str, int]  # issued, referred, or why an account was skipped (stated_this_cycle, ...)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["collections", "write_off"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class StatementOut(BaseModel):
    id: UUID
    issued_on: date
    due_on: date
    amount_due: Decimal
    stage: str
    delivery: str
    sent: bool


@router.put(
    "/v1/patient-accounts/{account_id}/contact", openapi_extra=allow(Role.FRONT_DESK, Role.BILLER, audit=Audit.PHI)
)
async def set_contact(
    account_id: UUID, body: ContactIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> ContactIn:
        account = await locked(uow, principal, account_id)
        await uow.statements.set_contact(account.tenant_id, account.id, **body.model_dump())
        return body

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.put("/v1/patient-accounts/{account_id}/hold", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY))
async def set_hold(
    account_id: UUID, body: HoldIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> HoldIn:
        account = await locked(uow, principal, account_id)
        values = {"on_hold": body.on_hold, "hold_reason": body.reason if body.on_hold else None}
        await uow.statements.set_contact(account.tenant_id, account.id, **values)
        return body

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.post(
    "/v1/patient-accounts/{account_id}/decision", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), status_code=200
)
async def decide(
    account_id: UUID, body: DecisionIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    """The practice's decision on an account its final notice left unanswered: collections (its statements stop,
    the reason kept as the hold's) or a write-off of what is open as bad debt."""

    async def operation() -> Any:
        account = await locked(uow, principal, account_id)
        for adjustment in account.decide(body.decision, principal.subject):
            await uow.accounts.add_adjustment(account, replace(adjustment, reason=body.reason))
        if body.decision == "collections":
            await uow.statements.set_contact(account.tenant_id, account.id, on_hold=True, hold_reason=body.reason)
        await saved(uow, account)
        return account_out(account)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.get(SETTINGS, openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER), response_model=SettingsIO)
async def get_settings(practice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> SettingsIO:
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        policy = await uow.statements.policy(principal.tenant_id, practice_id)
    return SettingsIO(**vars(policy))


@router.put(SETTINGS, openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN), response_model=SettingsIO)
async def put_settings(
    practice_id: UUID, body: SettingsIO, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> SettingsIO:
        await require_practices(uow, principal, {"practice_id": practice_id})
        policy = StatementPolicy(body.cycle_day, body.minimum_balance, body.due_days)
        await uow.statements.set_policy(principal.tenant_id, practice_id, policy, principal.subject)
        return body

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=200)


@router.post(
    "/v1/practices/{practice_id}/statement-runs",
    openapi_extra=allow(Role.BILLER, audit=Audit.MONEY),
    response_model=RunOut,
    status_code=201,
)
async def run_now(practice_id: UUID, request: Request, principal: CurrentPrincipal, uow: WorkDep) -> JSONResponse:
    pay_at = request.app.state.pay_at  # each statement's own signed link (service.py)

    async def operation() -> RunOut:
        await require_practices(uow, principal, {"practice_id": practice_id})
        outcomes = await run_statements(uow, principal.tenant_id, practice_id, business_date(), pay_at)
        return RunOut(outcomes=dict(outcomes))

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation)


@router.get(
    "/v1/patient-accounts/{account_id}/statements",
    openapi_extra=allow(*READERS, audit=Audit.PHI),
    response_model=list[StatementOut],
)
async def statements_of(account_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> list[StatementOut]:
    async with uow:
        if await uow.accounts.find(principal, account_id) is None:
            raise NotFound("patient account not found", field="account_id")
        rows = await uow.statements.of_account(principal, account_id)
    return [StatementOut(**_fields(row)) for row in rows]


@router.get("/v1/statements/{statement_id}/pdf", openapi_extra=allow(*READERS, audit=Audit.PHI))
async def statement_pdf(statement_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> Response:
    async with uow:
        row = await uow.statements.find(principal, statement_id)
    if row is None:
        raise NotFound("statement not found", field="statement_id")
    return _pdf(row.document["lines"])


@router.get(
    "/v1/practices/{practice_id}/printed-statements/{issued_on}",
    openapi_extra=allow(Role.BILLER, audit=Audit.PHI),
)
async def printed(practice_id: UUID, issued_on: date, principal: CurrentPrincipal, uow: WorkDep) -> Response:
    """The day's statements to be printed, one after another in one PDF: the mail house's batch."""
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        rows = await uow.statements.printed(principal, practice_id, issued_on)
    return _pdf([line for row in rows for line in [*row.document["lines"], "", "- - -", ""]])


def _pdf(lines: list[str]) -> Response:
    return Response(render_pdf([part for line in lines for part in wrap(line)]), media_type="application/pdf")


def _fields(row: Any) -> dict[str, Any]:
    names = ("id", "issued_on", "due_on", "amount_due", "stage", "delivery")
    return {name: getattr(row, name) for name in names} | {"sent": row.sent_at is not None}
