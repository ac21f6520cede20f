"""Claims: the list (and the A/R drill-down's claims), one claim whole (its lines, status, every event on its
timeline, the 837P, the postings of the 835s that touched it, its denial cases), the held claims' queue, and the
interchanges that could not go out (requeued after a fix, or cancelled: their claims stay held)."""

from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.backend import unless_missing
from console.render import BackendDep, CheckedForm, filters, form_key, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
Text = Annotated[str | None, Query(max_length=80)]


@router.get("/claims", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, Role.READ_ONLY))
async def claims(
    request: Request,
    backend: BackendDep,
    payer_id: Text = None,
    provider_npi: Annotated[str | None, Query(pattern=r"^[0-9]{10}$")] = None,
    status: Text = None,
    service_date_from: Text = None,
    service_date_to: Text = None,
    practice_id: UUID | None = None,
    cursor: Text = None,
) -> HTMLResponse:
    wanted = {"payer_id": payer_id, "provider_npi": provider_npi, "status": status}
    wanted["practice_id"] = str(practice_id) if practice_id else None
    wanted |= {"service_date_from": service_date_from, "service_date_to": service_date_to}
    found = await backend.get(token(request), "projection", "/v1/claims", wanted | {"cursor": cursor, "limit": 50})
    shown = {"claims": found["items"], "next_cursor": found["next_cursor"], "wanted": wanted, "query": filters(wanted)}
    return page(request, "claims.html", **shown)


@router.get("/claims/{claim_id}", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, Role.READ_ONLY))
async def one_claim(request: Request, backend: BackendDep, claim_id: UUID) -> HTMLResponse:
    """The claim as every service knows it, each read with the person's token (a claim out of their practices is
    a 404 from the first service asked, and nothing else is read)."""
    caller = token(request)
    summary = await backend.get(caller, "projection", f"/v1/claims/{claim_id}")
    sent = await unless_missing(backend.get(caller, "claim_submission", f"/v1/claims/{claim_id}"))
    postings = await unless_missing(backend.get(caller, "remittance_posting", f"/v1/claims/{claim_id}/postings"))
    cases = await backend.get(caller, "denial_management", "/v1/denials", {"claim_id": str(claim_id), "status": ""})
    visit = {"encounter_id": summary["encounter_id"], "limit": 20}
    siblings = await backend.get(caller, "claim_submission", "/v1/claims", visit) if summary["encounter_id"] else None
    others = [other for other in _items(siblings) if other["id"] != str(claim_id)]
    shown = {"claim": summary, "sent": sent, "postings": _items(postings), "cases": cases["items"], "others": others}
    return page(request, "claim.html", **shown)


def _items(found: Any) -> list[Any]:
    if found is None:
        return []
    return list(found["items"] if isinstance(found, dict) else found)


@router.get("/claims/{claim_id}/x12", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER))
async def claim_x12(request: Request, backend: BackendDep, claim_id: UUID) -> HTMLResponse:
    """The 837P as sent, a segment a line."""
    found = await backend.call(token(request), "GET", "claim_submission", f"/v1/claims/{claim_id}/x12")
    segments = [segment + "~" for segment in found.text.replace("\n", "").split("~") if segment]
    return page(request, "x12.html", claim_id=claim_id, segments=segments)


@router.get("/held", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER))
async def held(request: Request, backend: BackendDep, cursor: Text = None) -> HTMLResponse:
    """Claims the scrub held before they left: why, and what fixes each."""
    wanted = {"status": "held", "cursor": cursor, "limit": 50}
    found = await backend.get(token(request), "claim_submission", "/v1/claims", wanted)
    return page(request, "held.html", claims=found["items"], next_cursor=found["next_cursor"])


@router.post("/claims/{claim_id}/release", openapi_extra=allow(Role.BILLER))
async def release(request: Request, backend: BackendDep, claim_id: UUID, form: CheckedForm) -> Response:
    """Scrub again and send; the findings ticked are accepted on purpose (anything else still holds it)."""
    body = {"acknowledge": [str(rule) for rule in form.getlist("acknowledge")]}
    path = f"/v1/claims/{claim_id}/release"
    await backend.post(token(request), "claim_submission", path, body, key=form_key(form))
    return RedirectResponse(f"/claims/{claim_id}", status_code=303)


InterchangeStatus = Literal[
    "quarantined", "refused", "pending", "received", "acknowledged", "requeued", "cancelled", "any"
]


@router.get("/interchanges", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER))
async def interchanges(
    request: Request, backend: BackendDep, status: InterchangeStatus = "quarantined", cursor: Text = None
) -> HTMLResponse:
    asked = {"status": None if status == "any" else status, "cursor": cursor, "limit": 50}
    found = await backend.get(token(request), "claim_submission", "/v1/interchanges", asked)
    shown = {
        "items": found["items"],
        "next_cursor": found["next_cursor"],
        "asked": status,
        "statuses": get_args(InterchangeStatus),
    }
    return page(request, "interchanges.html", query=filters({"status": status}), **shown)


@router.post("/interchanges/{number}/{action}", openapi_extra=allow(Role.BILLER))
async def settle(
    request: Request, backend: BackendDep, number: Annotated[int, Path(ge=1)], action: str, form: CheckedForm
) -> Response:
    """A stuck interchange requeued (its held claims go out again in a new one) or cancelled."""
    if action not in ("requeue", "cancel"):
        return page(request, "problem.html", status=404, title="Not found", detail="no such action on an interchange")
    path = f"/v1/interchanges/{number}/{action}"
    await backend.post(token(request), "claim_submission", path, None, key=form_key(form))
    return RedirectResponse("/interchanges", status_code=303)
