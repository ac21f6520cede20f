"""The billing company's own month: its invoices to each practice, a practice's enrollments (with their tasks,
overdue flagged) and credentialing, the deposits matched to their 835s and those waiting, and the payers gone
silent; and what a biller or an administrator records there (an enrollment or a credentialing span as the payer
answered it, a task of an enrollment and its being done)."""

from decimal import Decimal
from typing import get_args
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from claimstream_platform.contracts.billing_office import CredentialStatus, EnrollmentStatus, Transaction
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from console.render import PDF, BackendDep, CheckedForm, field, form_key, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "billing_office"
OFFICE = (Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY)
WRITERS = (Role.TENANT_ADMIN, Role.BILLER)
RECORDS: dict[str, tuple[str, ...]] = {  # what is recorded of a practice here, and its fields
    "enrollments": (
        "payer_id",
        "npi",
        "tax_id",
        "transaction",
        "status",
        "requested_effective",
        "effective_from",
        "clearinghouse",
    ),
    "credentials": ("npi", "payer_id", "state", "status", "effective_from", "effective_to"),
}


@router.get("/office", response_class=HTMLResponse, openapi_extra=allow(*OFFICE))
async def month(request: Request, backend: BackendDep, practice_id: UUID | None = None) -> HTMLResponse:
    caller = token(request)
    practices = (await backend.get(caller, "charge_capture", "/v1/practices", {"limit": 200}))["items"]
    chosen = practice_id or (UUID(practices[0]["id"]) if practices else None)
    shown = {"practices": practices, "chosen": str(chosen) if chosen else None}
    invoices = (await backend.get(caller, SERVICE, "/v1/invoices"))["items"]
    shown["invoices"] = [invoice | {"owed": _owed(invoice)} for invoice in invoices]
    shown["deposits"] = await backend.get(caller, SERVICE, "/v1/deposits/reconciliation")
    shown["silent"] = await backend.get(caller, SERVICE, "/v1/silent-payers")
    if chosen is not None:
        shown["enrollments"] = await backend.get(caller, SERVICE, f"/v1/practices/{chosen}/enrollments")
        shown["credentials"] = await backend.get(caller, SERVICE, f"/v1/practices/{chosen}/credentials")
    shown |= {"transactions": get_args(Transaction), "enrollment_statuses": get_args(EnrollmentStatus)}
    shown["credential_statuses"] = get_args(CredentialStatus)
    return page(request, "office.html", **({"enrollments": [], "credentials": []} | shown))


def _owed(invoice: dict[str, str]) -> Decimal:
    return Decimal(invoice["total"]) - Decimal(invoice["credited"]) - Decimal(invoice["paid"])


@router.get("/office/invoices/{invoice_id}/pdf", openapi_extra=allow(*OFFICE), responses=PDF)
async def invoice_pdf(request: Request, backend: BackendDep, invoice_id: UUID) -> Response:
    found = await backend.call(token(request), "GET", SERVICE, f"/v1/invoices/{invoice_id}/pdf")
    return Response(found.content, media_type="application/pdf")


@router.post("/office/practices/{practice_id}/{record}", openapi_extra=allow(*WRITERS))
async def put_record(
    request: Request, backend: BackendDep, practice_id: UUID, record: str, form: CheckedForm
) -> Response:
    """An enrollment or a credentialing span recorded, or changed to what the payer answered (the same payer, NPI
    and transaction or state: the same record)."""
    if record not in RECORDS:
        return page(request, "problem.html", status=404, title="Not found", detail="no such record of a practice")
    body = {name: field(form, name) or None for name in RECORDS[record]}
    await backend.put(token(request), SERVICE, f"/v1/practices/{practice_id}/{record}", body, key=form_key(form))
    return RedirectResponse(f"/office?practice_id={practice_id}", status_code=303)


@router.post("/office/enrollments/{enrollment_id}/tasks", openapi_extra=allow(*WRITERS))
async def add_task(request: Request, backend: BackendDep, enrollment_id: UUID, form: CheckedForm) -> Response:
    body = {"title": field(form, "title"), "due_on": field(form, "due_on")}
    path = f"/v1/enrollments/{enrollment_id}/tasks"
    await backend.post(token(request), SERVICE, path, body, key=form_key(form))
    return RedirectResponse(_back(form), status_code=303)


@router.post("/office/tasks/{task_id}/done", openapi_extra=allow(*WRITERS))
async def task_done(request: Request, backend: BackendDep, task_id: UUID, form: CheckedForm) -> Response:
    await backend.post(token(request), SERVICE, f"/v1/enrollment-tasks/{task_id}/done", None, key=form_key(form))
    return RedirectResponse(_back(form), status_code=303)


def _back(form: FormData) -> str:
    """The month's page of the practice the form came from (its hidden field; any other value: the first)."""
    try:
        return f"/office?practice_id={UUID(field(form, 'practice_id'))}"
    except ValueError:
        return "/office"
