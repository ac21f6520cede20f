"""A patient's account as the practice's staff see it: what she owes and why (each visit, the share the insurance
left her, paid, adjusted, open), her credit and unapplied cash, statements (PDF), payment plans and refunds; and a
payment taken at the desk."""

from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.render import PDF, BackendDep, CheckedForm, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "patient_billing"
READERS = (Role.BILLER, Role.FRONT_DESK, Role.READ_ONLY)
DESK_METHODS = ("cash", "check", "card_present")  # what the desk takes in person


@router.get("/patients", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def accounts(request: Request, backend: BackendDep, awaiting_decision: bool = False) -> HTMLResponse:
    wanted = {"limit": 200, "awaiting_decision": "true" if awaiting_decision else None}
    found = await backend.get(token(request), SERVICE, "/v1/patient-accounts", wanted)
    return page(request, "patients.html", accounts=found["items"], awaiting_decision=awaiting_decision)


@router.get("/patients/{account_id}", response_class=HTMLResponse, openapi_extra=allow(*READERS))
async def account(request: Request, backend: BackendDep, account_id: UUID) -> HTMLResponse:
    caller, path = token(request), f"/v1/patient-accounts/{account_id}"
    found = await backend.get(caller, SERVICE, path)  # first: another practice's account is a 404, and nothing more
    statements = await backend.get(caller, SERVICE, f"{path}/statements")
    plans = await backend.get(caller, SERVICE, f"{path}/payment-plans")
    shown = {"account": found, "statements": statements, "plans": plans, "methods": DESK_METHODS}
    return page(request, "patient.html", **shown)


@router.post("/patients/{account_id}/payments", openapi_extra=allow(Role.BILLER, Role.FRONT_DESK))
async def payment(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """A payment at the desk: on the visit she names, else her oldest open visits first."""
    body = {"amount": str(form.get("amount") or "").strip(), "method": str(form.get("method") or "")}
    if form.get("encounter_id"):
        body["encounter_id"] = str(form.get("encounter_id"))
    path = f"/v1/patient-accounts/{account_id}/payments"
    await backend.post(token(request), SERVICE, path, body, key=str(form.get("form_key")))
    return RedirectResponse(f"/patients/{account_id}", status_code=303)


@router.get("/patients/statements/{statement_id}/pdf", openapi_extra=allow(*READERS), responses=PDF)
async def statement_pdf(request: Request, backend: BackendDep, statement_id: UUID) -> Response:
    found = await backend.call(token(request), "GET", SERVICE, f"/v1/statements/{statement_id}/pdf")
    return Response(found.content, media_type="application/pdf")
