"""Billing staff's denial queue: filter, sort, assign, bulk assign and write off; one case with its history, and
what a biller does with it (a note, a correction, an appeal and its letter, the payer's answer, a write-off)."""

from typing import Annotated, Literal
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import Role
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.render import PDF, BackendDep, CheckedForm, Reload, field, filters, form_key, page, reloads_itself, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "denial_management"
Text = Annotated[str | None, Query(max_length=80)]
BULK_FIELDS = ("category", "payer_id", "status", "due_before", "action", "assignee", "reason")
ACTIONS = ("assign", "notes", "correction", "appeal", "outcome", "write-off")


@router.get("/denials", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, Role.READ_ONLY))
async def queue(
    request: Request,
    backend: BackendDep,
    status: Literal["open", "correcting", "appealed", "resolved", "any"] = "open",
    category: Text = None,
    payer_id: Text = None,
    assignee: Text = None,
    due_before: Text = None,
    sort: Literal["priority", "deadline", "amount"] = "priority",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    wanted = {"status": status, "category": category, "payer_id": payer_id, "assignee": assignee}
    wanted |= {"due_before": due_before, "sort": sort}
    asked = wanted | {"status": None if status == "any" else status, "cursor": cursor, "limit": 50}
    found = await backend.get(token(request), SERVICE, "/v1/denials", asked)
    shown = {"cases": found["items"], "next_cursor": found["next_cursor"], "wanted": wanted, "query": filters(wanted)}
    return page(request, "denials.html", **shown)


@router.post("/denials/bulk", openapi_extra=allow(Role.BILLER))
async def bulk(request: Request, backend: BackendDep, form: CheckedForm) -> Response:
    """Every working case the filter finds (the service caps it at 500), assigned or written off at once."""
    text = {name: field(form, name) or None for name in BULK_FIELDS}
    body = text | {"action": text["action"] or "assign"}
    job = await backend.post(token(request), SERVICE, "/v1/denials/bulk", body, key=form_key(form))
    return RedirectResponse(f"/denials/bulk/{job['id']}", status_code=303)


@router.get("/denials/bulk/{job_id}", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER))
async def bulk_progress(request: Request, backend: BackendDep, job_id: UUID, refresh: Reload = "on") -> HTMLResponse:
    """How far a bulk action is; reloading itself until it has finished, unless the person stops it."""
    job = await backend.get(token(request), SERVICE, f"/v1/denials/bulk/{job_id}")
    refreshing = refresh == "on" and job["status"] != "finished"
    shown = page(request, "bulk.html", job=job, refreshing=refreshing)
    return reloads_itself(shown, request) if refreshing else shown


@router.get("/denials/{case_id}", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER))
async def one_case(request: Request, backend: BackendDep, case_id: UUID) -> HTMLResponse:
    case = await backend.get(token(request), SERVICE, f"/v1/denials/{case_id}")
    return page(request, "denial.html", case=case)


@router.post("/denials/{case_id}/{action}", openapi_extra=allow(Role.BILLER))
async def act(request: Request, backend: BackendDep, case_id: UUID, action: str, form: CheckedForm) -> Response:
    """One of the case's commands, from its form; back to the case, which shows what changed."""
    if action not in ACTIONS:
        return page(request, "problem.html", status=404, title="Not found", detail="no such action on a case")
    body = _body(action, form)
    path = f"/v1/denials/{case_id}/{action}"
    await backend.post(token(request), SERVICE, path, body, key=form_key(form))
    return RedirectResponse(f"/denials/{case_id}", status_code=303)


def _body(action: str, form: CheckedForm) -> dict[str, object]:
    text = {name: str(value).strip() for name, value in form.items() if isinstance(value, str)}
    if action == "assign":
        return {"assignee": text.get("assignee", "")}
    if action == "notes":
        return {"text": text.get("text", "")}
    if action == "correction":
        changes = {"place_of_service": text.get("place_of_service") or None}
        body: dict[str, object] = {
            "reason": text.get("reason", ""),
            "resubmit_as": text.get("resubmit_as") or "replacement",
        }
        body |= {"changes": changes, "prior_authorization_number": text.get("prior_authorization_number") or None}
        return body
    if action == "appeal":
        facts = [line.strip() for line in text.get("facts", "").splitlines() if line.strip()]
        return {"reason": text.get("reason", ""), "facts": facts}
    if action == "outcome":
        return {"resolution": text.get("resolution"), "recovered": text.get("recovered") or "0"}
    return {"reason": text.get("reason", "")}


@router.get("/denials/{case_id}/appeals/{appeal_id}/letter", openapi_extra=allow(Role.BILLER), responses=PDF)
async def letter(request: Request, backend: BackendDep, case_id: UUID, appeal_id: UUID) -> Response:
    """The appeal letter as the service made it (a PDF)."""
    path = f"/v1/denials/{case_id}/appeals/{appeal_id}/letter"
    found = await backend.call(token(request), "GET", SERVICE, path)
    return Response(found.content, media_type="application/pdf")
