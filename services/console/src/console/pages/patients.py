"""A patient's account as the practice's staff see it: what she owes and why (each visit, the share the insurance
left her, paid, adjusted, open), her credit and unapplied cash, statements (PDF), payment plans and refunds; what
the desk does (a payment, a payment plan) and what a biller does (a plan cancelled, her credit refunded by check or
applied to another visit, a small balance or a hardship written off); her Good Faith Estimates (`estimates.py`);
and the credit balances' queue."""

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from console.backend import Backend
from console.pages import estimates
from console.render import PDF, BackendDep, CheckedForm, field, filters, form_key, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "patient_billing"
READERS = (Role.BILLER, Role.FRONT_DESK, Role.READ_ONLY)
DESK = (Role.BILLER, Role.FRONT_DESK)  # who takes her money and sets her plan
DESK_METHODS = ("cash", "check", "card_present")  # what the desk takes in person


@router.get("/patients", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def accounts(
    request: Request,
    backend: BackendDep,
    awaiting_decision: bool = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    wanted = {"awaiting_decision": "true" if awaiting_decision else None}
    found = await backend.get(token(request), SERVICE, "/v1/patient-accounts", wanted | {"cursor": cursor, "limit": 50})
    shown = {"accounts": found["items"], "next_cursor": found["next_cursor"], "awaiting_decision": awaiting_decision}
    return page(request, "patients.html", query=filters(wanted), **shown)


@router.get("/patients/{account_id}", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def account(request: Request, backend: BackendDep, account_id: UUID) -> HTMLResponse:
    caller, path = token(request), f"/v1/patient-accounts/{account_id}"
    found = await backend.get(caller, SERVICE, path)  # first: another practice's account is a 404, and nothing more
    statements = await backend.get(caller, SERVICE, f"{path}/statements")
    plans = await backend.get(caller, SERVICE, f"{path}/payment-plans")
    shown = {"account": found, "statements": statements, "plans": plans, "methods": DESK_METHODS}
    shown["active_plan"] = any(plan["status"] == "active" for plan in plans)
    shown["owing"] = [visit for visit in found["visits"] if Decimal(visit["open"]) > 0]
    shown["has_credit"] = Decimal(found["credit"]) > 0
    shown["estimates"] = await estimates.of_account(request, backend, found)
    return page(request, "patient.html", **shown)


@router.post("/patients/{account_id}/payments", openapi_extra=allow(*DESK))
async def payment(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """A payment at the desk: on the visit she names, else her oldest open visits first."""
    body = {"amount": field(form, "amount"), "method": field(form, "method")}
    if field(form, "encounter_id"):
        body["encounter_id"] = field(form, "encounter_id")
    return await _command(request, backend, account_id, "payments", body, form)


@router.post("/patients/{account_id}/payment-plans", openapi_extra=allow(*DESK))
async def payment_plan(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """What she owes in monthly installments: so much a month, or over so many months (one of them)."""
    body = {name: field(form, name) for name in ("per_month", "months", "first_due") if field(form, name)}
    return await _command(request, backend, account_id, "payment-plans", body, form)


@router.post("/patients/{account_id}/payment-plans/cancel", openapi_extra=allow(Role.BILLER))
async def cancel_plan(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    return await _command(request, backend, account_id, "payment-plans/active/cancel", None, form)


@router.post("/patients/{account_id}/refunds", openapi_extra=allow(Role.BILLER))
async def refund(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """Her credit back to her by check (a card payment is refunded to its card by the API, naming the payment)."""
    body = {"amount": field(form, "amount"), "check_number": field(form, "check_number")}
    return await _command(request, backend, account_id, "refunds", body, form)


@router.post("/patients/{account_id}/credit-applications", openapi_extra=allow(Role.BILLER))
async def apply_credit(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """Her credit applied to another visit she owes on."""
    body = {"encounter_id": field(form, "encounter_id"), "amount": field(form, "amount")}
    return await _command(request, backend, account_id, "credit-applications", body, form)


@router.post("/patients/{account_id}/adjustments", openapi_extra=allow(Role.BILLER))
async def adjustment(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """A visit's balance written off: too small to chase, or her hardship (with the reason)."""
    body = {name: field(form, name) for name in ("encounter_id", "kind", "amount", "reason")}
    return await _command(request, backend, account_id, "adjustments", body, form)


async def _command(
    request: Request, backend: Backend, account_id: UUID, what: str, body: object, form: FormData
) -> Response:
    path = f"/v1/patient-accounts/{account_id}/{what}"
    await backend.post(token(request), SERVICE, path, body, key=form_key(form))
    return RedirectResponse(f"/patients/{account_id}", status_code=303)


@router.get("/credits", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER))
async def credits(request: Request, backend: BackendDep) -> HTMLResponse:
    """The accounts holding her money beyond what she owes, oldest first, with the day it becomes her state's
    unclaimed property: refunded or applied before then."""
    found = await backend.get(token(request), SERVICE, "/v1/credit-balances", {"limit": 200})
    return page(request, "credits.html", items=found["items"])


@router.get("/patients/statements/{statement_id}/pdf", openapi_extra=allow(*READERS), responses=PDF)
async def statement_pdf(request: Request, backend: BackendDep, statement_id: UUID) -> Response:
    found = await backend.call(token(request), "GET", SERVICE, f"/v1/statements/{statement_id}/pdf")
    return Response(found.content, media_type="application/pdf")
