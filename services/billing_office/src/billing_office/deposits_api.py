"""The billing office's deposit routes: a bank file imported (BAI2 as `text/plain`, or a CSV of date, amount and
trace as `text/csv`), and the reconciliation's three lists: matched, ERAs waiting for their deposit, deposits
waiting for their ERA, each waiting one with its age in business days and its alert past three. HTTP only."""

import hashlib
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, RateClass, allow
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from claimstream_platform.errors import RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from billing_office import handlers
from billing_office.bank_files import BankFileError, read_bai2, read_csv
from billing_office.deposits import age, overdue
from billing_office.repository import BillingOfficeWork

router = APIRouter(tags=["deposits"])
WorkDep = Annotated[BillingOfficeWork, Depends(get_unit_of_work)]
MAX_FILE_BYTES = 2 * 1024 * 1024
BANK_FILE = {
    "requestBody": {
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}},
    }
}
READERS = (Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY)


class ImportOut(BaseModel):
    deposits: int  # the file's health care claim payments
    added: int  # those not imported before


class UploadedFile(BaseModel):
    sha256: str


class MatchedOut(BaseModel):
    remittance_id: UUID
    deposit_id: UUID
    payer_id: str
    trace: str
    amount: Decimal
    paid_on: date
    deposited_on: date


class WaitingOut(BaseModel):
    id: UUID
    trace: str
    amount: Decimal
    since: date  # the 835's payment date, or the day of the deposit
    business_days: int
    alert: bool  # past three business days
    payer_id: str | None = None
    same_trace: Decimal | None = None  # what the other side of the same trace says, when its amount differs


class Reconciliation(BaseModel):
    as_of: date
    matched: list[MatchedOut]
    eras_waiting: list[WaitingOut]
    deposits_waiting: list[WaitingOut]


@router.post(
    "/v1/deposits",
    openapi_extra=allow(Role.TENANT_ADMIN, Role.BILLER, audit=Audit.MONEY, rate=RateClass.UPLOAD) | BANK_FILE,
    response_model=ImportOut,
    status_code=201,
)
async def import_file(request: Request, principal: CurrentPrincipal, uow: WorkDep) -> JSONResponse:
    """A bank's file of deposits; the same file twice adds nothing. A file that does not read is refused whole
    (422, naming the record and field) and changes nothing."""
    raw = await request.body()
    if len(raw) > MAX_FILE_BYTES:
        raise RuleViolation(f"a bank file is at most {MAX_FILE_BYTES} bytes", field="body")
    csv = request.headers.get("content-type", "").startswith("text/csv")
    try:
        found = (read_csv if csv else read_bai2)(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise RuleViolation(f"byte {error.start} is not text", field="body") from None
    except BankFileError as error:
        raise RuleViolation(str(error), field="body") from None

    async def operation() -> ImportOut:
        added = await handlers.import_deposits(uow, principal, found, "csv" if csv else "bai2")
        return ImportOut(deposits=len(found), added=added)

    uploaded = UploadedFile(sha256=hashlib.sha256(raw).hexdigest())
    return await run_command(request, principal=principal, uow=uow, body=uploaded, operation=operation)


@router.get("/v1/deposits/reconciliation", openapi_extra=allow(*READERS), response_model=Reconciliation)
async def reconciliation(principal: CurrentPrincipal, uow: WorkDep) -> Reconciliation:
    """Ages count banking days of the real calendar (never the invoices' demo clock): money moves on real days."""
    today = business_date()
    async with uow:
        matched = await uow.deposits.matched(principal)
        eras = await uow.deposits.eras_waiting(principal)
        banked = await uow.deposits.deposits_waiting(principal)
    deposited = {row.trace: row.amount for row in banked}
    paid = {row.trace: row.amount for row in eras}
    return Reconciliation(
        as_of=today,
        matched=[MatchedOut.model_validate(row, from_attributes=True) for row in matched],
        eras_waiting=[_waiting(row, row.paid_on, today, deposited, row.payer_id) for row in eras],
        deposits_waiting=[_waiting(row, row.deposited_on, today, paid) for row in banked],
    )


def _waiting(row: Any, since: date, today: date, other: dict[str, Decimal], payer: str | None = None) -> WaitingOut:
    differs = other.get(row.trace)
    return WaitingOut(
        id=row.id,
        trace=row.trace,
        amount=row.amount,
        since=since,
        business_days=age(since, today),
        alert=overdue(since, today),
        payer_id=payer,
        same_trace=differs if differs is not None and differs != row.amount else None,
    )
