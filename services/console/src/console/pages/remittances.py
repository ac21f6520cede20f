"""The remittance queues: payments of an 835 that matched no claim (assigned to the right one by a biller),
payments short of the practice's contract or downcoded (variances), and the money payers took back (recoupments:
provider-level, by the claim it concerns, and reversals) beside what they overpaid and still own (refunded to the
payer on its request)."""

from typing import Annotated
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import OPERATOR, Role
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.render import BackendDep, CheckedForm, field, form_key, page, token

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
    body = {"claim_id": field(form, "claim_id")}
    path = f"/v1/remittances/exceptions/{payment_id}/assign"
    await backend.post(token(request), SERVICE, path, body, key=form_key(form))
    return RedirectResponse("/exceptions", status_code=303)


@router.get("/variances", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, Role.READ_ONLY))
async def variances(request: Request, backend: BackendDep, cursor: Cursor = None) -> HTMLResponse:
    found = await backend.get(token(request), SERVICE, "/v1/variances", {"cursor": cursor, "limit": 50})
    return page(request, "variances.html", items=found["items"], next_cursor=found["next_cursor"])


@router.get("/recoupments", response_class=HTMLResponse, openapi_extra=allow(Role.BILLER, Role.READ_ONLY))
async def recoupments(
    request: Request, backend: BackendDep, taken: Cursor = None, reversals: Cursor = None, overpaid: Cursor = None
) -> HTMLResponse:
    """Three lists, each a page at a time with its own cursor (named after it)."""
    lists = {
        "taken": ("/v1/recoupments/provider-level", taken),
        "reversals": ("/v1/recoupments/reversals", reversals),
        "overpaid": ("/v1/payer-overpayments", overpaid),
    }
    caller = token(request)
    shown = {
        name: await backend.get(caller, SERVICE, path, {"cursor": at, "limit": 50})
        for name, (path, at) in lists.items()
    }
    return page(request, "recoupments.html", **shown)


@router.post("/recoupments/{claim_id}/refund", openapi_extra=allow(Role.BILLER))
async def refund_payer(request: Request, backend: BackendDep, claim_id: UUID, form: CheckedForm) -> Response:
    """A payer's overpayment on the claim sent back on its request (its check number or request reference)."""
    body = {name: field(form, name) for name in ("payer_id", "amount", "reference")}
    path = f"/v1/payer-overpayments/{claim_id}/refunds"
    await backend.post(token(request), SERVICE, path, body, key=form_key(form))
    return RedirectResponse("/recoupments", status_code=303)
