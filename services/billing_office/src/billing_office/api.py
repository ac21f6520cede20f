"""The billing office's REST API: each practice's fee agreements, invoice runs, invoices (figures, the collections
they counted, PDF), credit notes and the practice's payments, and the billing company's revenue by practice and
month. HTTP only: commands run through `run_command`, once per Idempotency-Key."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.errors import NotFound
from claimstream_platform.idempotency import run_command
from claimstream_platform.practices import require_practices
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from billing_office import handlers, invoice_document
from billing_office.domain import INTEREST, month_end
from billing_office.repository import BillingOfficeWork

router = APIRouter(tags=["billing office"])
WorkDep = Annotated[BillingOfficeWork, Depends(get_unit_of_work)]
Money = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Fee = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
READERS = (Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY)
AGREEMENTS = "/v1/practices/{practice_id}/fee-agreements"
PRACTICE_COLLECTIONS = "/v1/practices/{practice_id}/collections"


class AgreementIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    effective_from: date  # a month's first day; never one already invoiced
    insurance_percent: Percent  # of net insurance collections
    patient_percent: Percent  # of net patient collections
    minimum_fee: Fee = Decimal(0)
    per_claim_fee: Fee = Decimal(0)
    per_statement_fee: Fee = Decimal(0)
    include_interest: bool = False  # count the interest payers add as a collection


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    practice_id: UUID
    number: str
    month: date
    issued_on: date
    total: Decimal
    credited: Decimal
    paid: Decimal
    figures: dict[str, str] = {}


class InvoiceList(BaseModel):
    items: list[InvoiceOut]


class CollectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    party: str
    kind: str
    source_id: UUID  # the claim (insurance), or the patient's payment or refund
    payer_id: str | None
    collected_on: date
    amount: Decimal


class MonthCollections(BaseModel):
    month: date
    insurance: Decimal  # net, interest left out
    patient: Decimal
    items: list[CollectionOut]


class CreditNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    received_on: date


class RevenueRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    practice_id: UUID
    month: date
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    owed: Decimal


class Revenue(BaseModel):
    items: list[RevenueRow]


@router.get(AGREEMENTS, openapi_extra=allow(*READERS), response_model=list[AgreementIO])
async def agreements(practice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> list[AgreementIO]:
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        found = await uow.agreements.listing(principal, practice_id)
    return [AgreementIO.model_validate(agreement) for agreement in found]


@router.post(
    AGREEMENTS, openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.ADMIN), response_model=AgreementIO, status_code=201
)
async def add_agreement(
    practice_id: UUID, body: AgreementIO, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> AgreementIO:
        await require_practices(uow, principal, {"practice_id": practice_id})
        await handlers.add_agreement(uow, principal, practice_id, body.model_dump())
        return body

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post(
    "/v1/invoice-runs",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.MONEY),
    response_model=InvoiceList,
    status_code=201,
)
async def run_invoices(request: Request, principal: CurrentPrincipal, uow: WorkDep) -> JSONResponse:
    """Every ended month of the caller's practices not invoiced yet, invoiced now (the month-end loop's work)."""

    async def operation() -> InvoiceList:
        made = await handlers.run_invoices(uow, principal, request.app.state.clock.today())
        rows = [await uow.invoices.read(principal, invoice.id) for invoice in made]
        return InvoiceList(items=[InvoiceOut.model_validate(row) for row in rows])

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation)


@router.get("/v1/invoices", openapi_extra=allow(*READERS), response_model=InvoiceList)
async def invoices(
    principal: CurrentPrincipal, uow: WorkDep, practice_id: UUID | None = None, month: date | None = None
) -> InvoiceList:
    async with uow:
        rows = await uow.invoices.listing(principal, practice_id, month)
    return InvoiceList(items=[InvoiceOut.model_validate(row) for row in rows])


@router.get("/v1/invoices/{invoice_id}", openapi_extra=allow(*READERS), response_model=InvoiceOut)
async def invoice(invoice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> InvoiceOut:
    async with uow:
        row = await _invoice(uow, principal, invoice_id)
    return InvoiceOut.model_validate(row)


@router.get("/v1/invoices/{invoice_id}/collections", openapi_extra=allow(*READERS), response_model=list[CollectionOut])
async def counted(invoice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> list[CollectionOut]:
    """Every collection the invoice counted: what each of its figures adds up."""
    async with uow:
        row = await _invoice(uow, principal, invoice_id)
        rows = await uow.collections.of_invoice(row.tenant_id, row.id)
    return [CollectionOut.model_validate(found) for found in rows]


@router.get(
    "/v1/invoices/{invoice_id}/pdf",
    openapi_extra=allow(*READERS),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def invoice_pdf(invoice_id: UUID, principal: CurrentPrincipal, uow: WorkDep) -> Response:
    async with uow:
        row = await _invoice(uow, principal, invoice_id)
        collections = await uow.collections.of_invoice(row.tenant_id, row.id)
        notes = await uow.invoices.credit_notes(row.tenant_id, row.id)
    body = invoice_document.pdf(row, row.figures, collections, notes)
    headers = {"Content-Disposition": f'inline; filename="invoice-{row.number}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


@router.post(
    "/v1/invoices/{invoice_id}/credit-notes",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.MONEY),
    response_model=InvoiceOut,
    status_code=201,
)
async def credit(
    invoice_id: UUID, body: CreditNoteIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> Any:
        await handlers.credit(uow, principal, invoice_id, body.amount, body.reason, request.app.state.clock.today())
        return InvoiceOut.model_validate(await _invoice(uow, principal, invoice_id))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.post(
    "/v1/invoices/{invoice_id}/payments",
    openapi_extra=allow(Role.TENANT_ADMIN, audit=Audit.MONEY),
    response_model=InvoiceOut,
    status_code=201,
)
async def pay(
    invoice_id: UUID, body: PaymentIn, request: Request, principal: CurrentPrincipal, uow: WorkDep
) -> JSONResponse:
    async def operation() -> Any:
        await handlers.receive(uow, principal, invoice_id, body.amount, body.received_on)
        return InvoiceOut.model_validate(await _invoice(uow, principal, invoice_id))

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation)


@router.get(PRACTICE_COLLECTIONS, openapi_extra=allow(*READERS), response_model=MonthCollections)
async def collections_of_month(
    practice_id: UUID, principal: CurrentPrincipal, uow: WorkDep, month: date
) -> MonthCollections:
    """The practice's collections of a month (its first day), so far: what its invoice will count."""
    first = month.replace(day=1)
    async with uow:
        await require_practices(uow, principal, {"practice_id": practice_id})
        rows = await uow.collections.of_month(principal, practice_id, first, month_end(first))
    items = [CollectionOut.model_validate(row) for row in rows]
    totals = {
        party: sum((i.amount for i in items if i.party == party and i.kind != INTEREST), Decimal(0))
        for party in ("insurance", "patient")
    }
    return MonthCollections(month=first, insurance=totals["insurance"], patient=totals["patient"], items=items)


@router.get("/v1/revenue", openapi_extra=allow(Role.TENANT_ADMIN, Role.READ_ONLY), response_model=Revenue)
async def revenue(principal: CurrentPrincipal, uow: WorkDep, first: date, last: date) -> Revenue:
    """The billing company's revenue per practice and month (by the invoices' months), and what each still owes."""
    async with uow:
        rows = await uow.invoices.revenue(principal, first, last)
    return Revenue(items=[RevenueRow.model_validate(row) for row in rows])


async def _invoice(uow: BillingOfficeWork, principal: Any, invoice_id: UUID) -> Any:
    row = await uow.invoices.read(principal, invoice_id)
    if row is None:
        raise NotFound("invoice not found", field="invoice_id")
    return row
