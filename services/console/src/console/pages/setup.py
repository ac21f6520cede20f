"""A tenant administrator's set-up: the tenant's people (invited with their roles and practices, the invitation's
code shown once; disabled), its practices (added with their billing identity), each practice's providers and
payers, and what each payer is billed and paid: the fee schedule's latest version and the contract rates."""

from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.backend import Backend, unless_missing
from console.render import BackendDep, CheckedForm, field, form_key, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
ADMIN = allow(Role.TENANT_ADMIN)
ROLES = [str(role) for role in Role]
PARTS: dict[str, tuple[str, ...]] = {  # a practice's parts an administrator adds here, and their fields
    "providers": ("npi", "first_name", "last_name", "credential", "taxonomy"),
    "payers": ("payer_id", "name", "kind", "claim_filing_indicator"),
}
CREDENTIALS = ("MD", "DO", "NP", "PA", "PhD", "PsyD", "LCSW", "LPC", "LMHC", "LMFT", "LMSW")


@router.get("/setup", openapi_extra=ADMIN)
async def setup(request: Request, backend: BackendDep, cursor: Annotated[UUID | None, Query()] = None) -> HTMLResponse:
    caller = token(request)
    users = await backend.get(caller, "identity", "/v1/users", {"cursor": str(cursor) if cursor else None})
    practices = (await backend.get(caller, "charge_capture", "/v1/practices", {"limit": 200}))["items"]
    shown = {"users": users["items"], "next_cursor": users["next_cursor"], "practices": practices, "all_roles": ROLES}
    return page(request, "setup.html", **shown)


@router.post("/setup/users", openapi_extra=ADMIN)
async def invite(request: Request, backend: BackendDep, form: CheckedForm) -> HTMLResponse:
    """The person's invitation: its code is shown here once (identity keeps only its hash)."""
    body: dict[str, Any] = {"email": field(form, "email"), "name": field(form, "name")}
    body["roles"] = [str(role) for role in form.getlist("roles")]
    practices = [str(practice) for practice in form.getlist("practice_ids")]
    body["practice_ids"] = practices or None  # none ticked: every practice
    invited = await backend.post(token(request), "identity", "/v1/users", body)
    return page(request, "invited.html", invited=invited)


@router.post("/setup/users/{user_id}/disable", openapi_extra=ADMIN)
async def disable(request: Request, backend: BackendDep, user_id: UUID, _: CheckedForm) -> Response:
    await backend.post(token(request), "identity", f"/v1/users/{user_id}/disable", None)
    return RedirectResponse("/setup", status_code=303)


@router.post("/setup/practices", openapi_extra=ADMIN)
async def add_practice(request: Request, backend: BackendDep, form: CheckedForm) -> Response:
    body: dict[str, Any] = {name: field(form, name) for name in ("name", "npi", "tax_id", "taxonomy")}
    body["address"] = {name: field(form, name) for name in ("line1", "city", "state", "postal_code")}
    made = await backend.post(token(request), "charge_capture", "/v1/practices", body, key=form_key(form))
    return RedirectResponse(f"/setup/practices/{made['id']}", status_code=303)


@router.get("/setup/practices/{practice_id}", openapi_extra=ADMIN)
async def practice(request: Request, backend: BackendDep, practice_id: UUID) -> HTMLResponse:
    caller, path = token(request), f"/v1/practices/{practice_id}"
    found = await backend.get(caller, "charge_capture", path)  # first: another tenant's practice is a 404
    providers = (await backend.get(caller, "charge_capture", f"{path}/providers", {"limit": 200}))["items"]
    payers = (await backend.get(caller, "charge_capture", f"{path}/payers", {"limit": 200}))["items"]
    terms = {payer["payer_id"]: await _terms(backend, caller, practice_id, payer["payer_id"]) for payer in payers}
    shown = {"practice": found, "providers": providers, "payers": payers, "terms": terms, "credentials": CREDENTIALS}
    return page(request, "practice.html", **shown)


async def _terms(backend: Backend, caller: str, practice_id: UUID, payer_id: str) -> dict[str, Any]:
    """What the practice bills the payer (its fee schedule's latest version) and is paid (the contract rates)."""
    fees = await unless_missing(
        backend.get(caller, "charge_capture", f"/v1/practices/{practice_id}/fee-schedules/{payer_id}")
    )
    wanted = {"practice_id": str(practice_id), "limit": 200}
    rates = await unless_missing(backend.get(caller, "remittance_posting", f"/v1/contract-rates/{payer_id}", wanted))
    latest = fees["items"][0] if fees and fees["items"] else None
    return {"fees": latest, "rates": rates["items"] if rates else []}


@router.post("/setup/practices/{practice_id}/{part}", openapi_extra=ADMIN)
async def add_to_practice(
    request: Request, backend: BackendDep, practice_id: UUID, part: str, form: CheckedForm
) -> Response:
    """A provider or a payer of the practice."""
    if part not in PARTS:
        return page(request, "problem.html", status=404, title="Not found", detail="no such part of a practice")
    body = {name: field(form, name) for name in PARTS[part]}
    path = f"/v1/practices/{practice_id}/{part}"
    await backend.post(token(request), "charge_capture", path, body, key=form_key(form))
    return RedirectResponse(f"/setup/practices/{practice_id}", status_code=303)
