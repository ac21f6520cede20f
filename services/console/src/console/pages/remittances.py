"""The remittance queues: payments of an 835 that matched no claim (assigned to the right one by a biller), and
payments short of the practice's contract or downcoded (variances)."""

from typing import Annotated
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import OPERATOR, Role
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.render import BackendDep, CheckedForm, page, token

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
SERVICE = "remittance_posting"
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/exceptions", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, OPERATOR))
async def exceptions(request: Request, backend: BackendDep, cursor: Cursor = None) -> HTMLResponse:
    found = await backend.get(token(request), SERVICE, "/v1/remittances/exceptions", {"cursor": cursor, "limit": 50})
    return page(request, "exceptions.html", payments=found["items"], next_cursor=found["next_cursor"])


@router.post("/exceptions/{payment_id}/assign", openapi_extra=allow(Role.BILLER, OPERATOR))
async def assign(request: Request, backend: BackendDep, payment_id: UUID, form: CheckedForm) -> Response:
    """The payment posted to the claim named (its id, from the claim's page)."""
    body = {"claim_id": str(form.get("claim_id") or "").strip()}
    path = f"/v1/remittances/exceptions/{payment_id}/assign"
    await backend.post(token(request), SERVICE, path, body, key=str(form.get("form_key")))
    return RedirectResponse("/exceptions", status_code=303)


@router.get("/variances", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, Role.READ_ONLY))
async def variances(request: Request, backend: BackendDep, cursor: Cursor = None) -> HTMLResponse:
    found = await backend.get(token(request), SERVICE, "/v1/variances", {"cursor": cursor, "limit": 50})
    return page(request, "variances.html", items=found["items"], next_cursor=found["next_cursor"])
