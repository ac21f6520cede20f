"""Good Faith Estimates at the desk (eligibility keeps them): on a patient's account page, the estimates she was
given beside what has been billed against each provider's part (with the PDF), and the form the front desk or a
biller gives her a new one with: her name and birth date as she gives them, one of the practice's providers, the
period, and up to three services at the practice's self-pay fee."""

import re
from typing import Any
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from claimstream_platform.web import authenticate
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from console.backend import Backend, Unavailable
from console.render import PDF, BackendDep, CheckedForm, field, form_key, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "eligibility"
ESTIMATORS = frozenset({Role.BILLER, Role.FRONT_DESK})  # who gives her an estimate and reads hers
ESTIMATED_PATIENT = re.compile(r"[A-Za-z0-9-]{1,80}")  # the patient ids eligibility issues estimates for
SERVICE_ROWS = 3  # the form's service lines; a line left without a code is not sent


async def of_account(request: Request, backend: Backend, account: dict[str, Any]) -> dict[str, Any] | None:
    """Her estimates (`items`) and the practice's providers to give a new one by (`providers`, empty when she has
    an id eligibility issues none for); None: not shown, to a person who may not read them or while eligibility is
    away (the rest of her account still is)."""
    if not authenticate(request).roles & ESTIMATORS:
        return None
    if not ESTIMATED_PATIENT.fullmatch(account["patient_ref"]):
        return {"items": [], "providers": []}  # an id eligibility issues no estimate for (its own pattern)
    wanted = {"practice_id": account["practice_id"], "patient_ref": account["patient_ref"]}
    try:
        found = await backend.get(token(request), SERVICE, "/v1/good-faith-estimates", wanted)
    except Unavailable:
        return None
    providers = await _providers(backend, token(request), account["practice_id"])
    return {"items": found["items"], "providers": providers, "rows": range(SERVICE_ROWS)}


@router.post("/patients/{account_id}/estimates", openapi_extra=allow(*ESTIMATORS))
async def issue(request: Request, backend: BackendDep, account_id: UUID, form: CheckedForm) -> Response:
    """A Good Faith Estimate for her, from the form; back to her account, which lists it."""
    caller = token(request)
    account = await backend.get(caller, "patient_billing", f"/v1/patient-accounts/{account_id}")
    npi = field(form, "provider_npi")
    named = {
        provider["npi"]: provider["name"] for provider in await _providers(backend, caller, account["practice_id"])
    }
    if npi not in named:
        detail = "Choose one of the practice's providers for the estimate."
        return page(request, "problem.html", status=422, title="Not one of the practice's providers", detail=detail)
    body = {
        "practice_id": account["practice_id"],
        "patient": {"external_id": account["patient_ref"]} | _fields(form, "first_name", "last_name", "birth_date"),
        "provider": {"npi": npi, "name": named[npi]},
        "services": services(form),
    } | _fields(form, "period_from", "period_to")
    await backend.post(caller, SERVICE, "/v1/good-faith-estimates", body, key=form_key(form))
    return RedirectResponse(f"/patients/{account_id}", status_code=303)


@router.get("/patients/estimates/{estimate_id}/pdf", openapi_extra=allow(*ESTIMATORS), responses=PDF)
async def estimate_pdf(request: Request, backend: BackendDep, estimate_id: UUID) -> Response:
    found = await backend.call(token(request), "GET", SERVICE, f"/v1/good-faith-estimates/{estimate_id}/pdf")
    return Response(found.content, media_type="application/pdf")


def services(form: FormData) -> list[dict[str, str]]:
    """The form's service lines that name a code, as eligibility takes them (it checks each and names the one
    refused: `services.0.fee`)."""
    lines = []
    for row in range(SERVICE_ROWS):
        code = field(form, f"code_{row}").upper()
        if code:
            lines.append({"code": code, "label": field(form, f"label_{row}"), "fee": field(form, f"fee_{row}")})
            lines[-1]["quantity"] = field(form, f"quantity_{row}") or "1"
    return lines


def _fields(form: FormData, *names: str) -> dict[str, str]:
    return {name: field(form, name) for name in names}


async def _providers(backend: Backend, caller: str, practice_id: str) -> list[dict[str, str]]:
    """The practice's providers (charge capture keeps them), each by NPI with the name an estimate carries."""
    found = await backend.get(caller, "charge_capture", f"/v1/practices/{practice_id}/providers", {"limit": 200})
    return [{"npi": p["npi"], "name": f"{p['first_name']} {p['last_name']}"[:60]} for p in found["items"]]
