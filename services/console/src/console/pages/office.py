"""The billing company's own month: its invoices to each practice, a practice's enrollments (with their tasks,
overdue flagged) and credentialing, the deposits matched to their 835s and those waiting, and the payers gone
silent."""

from decimal import Decimal
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.render import PDF, BackendDep, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "billing_office"
OFFICE = (Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY)


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
    return page(request, "office.html", **({"enrollments": [], "credentials": []} | shown))


def _owed(invoice: dict[str, str]) -> Decimal:
    return Decimal(invoice["total"]) - Decimal(invoice["credited"]) - Decimal(invoice["paid"])


@router.get("/office/invoices/{invoice_id}/pdf", openapi_extra=allow(*OFFICE), responses=PDF)
async def invoice_pdf(request: Request, backend: BackendDep, invoice_id: UUID) -> Response:
    found = await backend.call(token(request), "GET", SERVICE, f"/v1/invoices/{invoice_id}/pdf")
    return Response(found.content, media_type="application/pdf")
