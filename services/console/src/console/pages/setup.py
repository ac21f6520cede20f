"""A tenant administrator's set-up: the tenant's people (invited with their roles and practices, the invitation's
code shown once; disabled), its practices (added with their billing identity), each practice's providers and
payers, and what each payer is billed and paid: the fee schedule's latest version and the contract rates, an amount
of either set from a day (the fee schedule: a new version, the one in force that day with the amount changed,
`terms.py`; a contract rate: that code's rate from the day); and a person's roles and practices changed (their
tokens are revoked: they sign in again)."""

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.backend import Backend, unless_missing
from console.render import BackendDep, CheckedForm, field, form_key, page, token
from console.terms import in_force, modifiers_typed, with_amount

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
ADMIN = allow(Role.TENANT_ADMIN)
ROLES = [str(role) for role in Role]
PARTS: dict[str, tuple[str, ...]] = {  # a practice's parts an administrator adds here, and their fields
    "providers": ("npi", "first_name", "last_name", "credential", "taxonomy"),
    "payers": ("payer_id", "name", "kind", "claim_filing_indicator"),
}
PayerId = Annotated[str, Path(min_length=1, max_length=80)]  # as charge capture takes it
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


@router.post("/setup/users/{user_id}/access", openapi_extra=ADMIN)
async def change_access(request: Request, backend: BackendDep, user_id: UUID, form: CheckedForm) -> Response:
    """New roles and practices (none ticked: every practice)."""
    body: dict[str, list[str] | None] = {"roles": [str(role) for role in form.getlist("roles")]}
    body["practice_ids"] = [str(practice) for practice in form.getlist("practice_ids")] or None
    await backend.patch(token(request), "identity", f"/v1/users/{user_id}", body)
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


@router.post("/setup/practices/{practice_id}/payers/{payer_id}/{terms}", openapi_extra=ADMIN)
async def set_amount(
    request: Request, backend: BackendDep, practice_id: UUID, payer_id: PayerId, terms: str, form: CheckedForm
) -> Response:
    """One amount of the fee schedule (`fees`: a new version from the day, `terms.py`) or of the contract rates
    (`rates`: that code's rate from the day; the same day again replaces it)."""
    if terms not in ("fees", "rates"):
        return page(request, "problem.html", status=404, title="Not found", detail="no such terms of a payer")
    caller, day, payer = token(request), field(form, "effective_from"), quote(payer_id, safe="")
    entry: dict[str, Any] = {"code": field(form, "code").upper(), "amount": field(form, "amount")}
    entry["modifiers"] = modifiers_typed(field(form, "modifiers"))
    if terms == "fees":
        path = f"/v1/practices/{practice_id}/fee-schedules/{payer}"
        current = await _entries_in_force(backend, caller, path, day)
        body: dict[str, Any] = {"effective_from": day, "entries": with_amount(current, entry)}
        await backend.put(caller, "charge_capture", path, body)
    else:
        body = {"practice_id": str(practice_id), "effective_from": day, "rates": [entry]}
        await backend.put(caller, "remittance_posting", f"/v1/contract-rates/{payer}", body)
    return RedirectResponse(f"/setup/practices/{practice_id}", status_code=303)


async def _entries_in_force(backend: Backend, caller: str, path: str, day: str) -> list[dict[str, Any]]:
    """The entries of the version in force on `day`, every page of them (none before the first version)."""
    version = in_force((await backend.get(caller, "charge_capture", path, {"limit": 200}))["items"], day)
    if version is None:
        return []
    entries: list[dict[str, Any]] = list(version["entries"])
    cursor, more_of = version["entries_next_cursor"], f"{path}/versions/{version['id']}/entries"
    while cursor:
        more = await backend.get(caller, "charge_capture", more_of, {"cursor": cursor, "limit": 200})
        entries, cursor = entries + more["items"], more["next_cursor"]
    return entries
