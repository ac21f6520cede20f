"""The front desk: coverage for a visit (the payer asked now, its behavioral-health summary and what the visit
will cost the patient), and the practice's authorizations with the units left and when they end."""

from typing import Annotated
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from console.render import BackendDep, CheckedForm, field, filters, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
DESK = (Role.FRONT_DESK, Role.BILLER)
FIELDS: tuple[str, ...] = (
    "practice_id",
    "external_id",
    "first_name",
    "last_name",
    "birth_date",
    "payer_id",
    "member_id",
)
FIELDS += ("npi", "provider_name", "service_date", "expected_charge", "allowed_amount")


@router.get("/coverage", response_class=HTMLResponse, openapi_extra=allow(*DESK))
async def coverage_form(request: Request, backend: BackendDep) -> HTMLResponse:
    practices = await backend.get(token(request), "charge_capture", "/v1/practices", {"limit": 200})
    return page(request, "coverage.html", practices=practices["items"], asked={}, check=None)


@router.post("/coverage", response_class=HTMLResponse, openapi_extra=allow(*DESK))
async def check_coverage(request: Request, backend: BackendDep, form: CheckedForm) -> HTMLResponse:
    """The payer is asked now (a 270 and its 271); the form stays filled in beside the answer."""
    asked = {name: field(form, name) for name in FIELDS}
    body = {
        "practice_id": asked["practice_id"],
        "patient": {key: asked[key] for key in ("external_id", "first_name", "last_name", "birth_date")},
        "coverage": {"payer_id": asked["payer_id"], "member_id": asked["member_id"]},
        "provider": {"npi": asked["npi"], "name": asked["provider_name"]},
        "service_date": asked["service_date"],
    }
    for money in ("expected_charge", "allowed_amount"):
        if asked[money]:
            body[money] = asked[money]
    caller = token(request)
    key = str(form.get("form_key"))  # eligibility answers within 33 s (two 15 s tries): waited for whole
    check = await backend.post(caller, "eligibility", "/v1/eligibility-checks", body, key=key, seconds=45)
    practices = await backend.get(caller, "charge_capture", "/v1/practices", {"limit": 200})
    return page(request, "coverage.html", practices=practices["items"], asked=asked, check=check)


@router.get("/authorizations", response_class=HTMLResponse, openapi_extra=allow(*DESK))
async def authorizations(
    request: Request,
    backend: BackendDep,
    practice_id: UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    wanted = {"practice_id": str(practice_id) if practice_id else None, "cursor": cursor, "limit": 50}
    found = await backend.get(token(request), "prior_authorization", "/v1/authorizations", wanted)
    query = filters({"practice_id": wanted["practice_id"]})
    return page(request, "authorizations.html", items=found["items"], next_cursor=found.get("next_cursor"), query=query)
