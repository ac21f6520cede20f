"""Signing in and out, and the page each person lands on."""

from datetime import UTC, datetime
from typing import Annotated

from claimstream_platform.access import RateClass, allow, public
from claimstream_platform.auth import OPERATOR, Role
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.backend import Refused, Unavailable
from console.render import BackendDep, CheckedForm, page, token
from console.repository import SessionStore
from console.session import COOKIE, Session

router = APIRouter(tags=["console"], default_response_class=HTMLResponse)
EVERYONE = (*Role, OPERATOR)
ENDED = {"idle": "You were signed out after a while without activity.", "out": "You are signed out."}


def _next(path: str | None) -> str:
    """Only a path of the console's own (never `//elsewhere` or a full URL): no open redirect."""
    return path if path and path.startswith("/") and not path.startswith("//") else "/"


@router.get("/sign-in", response_class=HTMLResponse, openapi_extra=public("the sign-in form", rate=RateClass.READ))
async def sign_in_form(request: Request, next: str | None = None, ended: str | None = None) -> HTMLResponse:
    return page(request, "sign_in.html", next=_next(next), notice=ENDED.get(ended or ""), failure=None)


@router.post("/sign-in", response_class=HTMLResponse, openapi_extra=public("a person signs in with email and password"))
async def sign_in(
    request: Request,
    backend: BackendDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    operator: Annotated[bool, Form()] = False,
) -> Response:
    """Identity checks the password and issues the person's token; the console keeps it in a session of its own
    table (sessions whose token has ended removed meanwhile), and the cookie carries the session's id alone."""
    try:
        issued = await backend.sign_in(email, password, operator=operator)
    except Refused as refused:
        failure = "That email and password do not match an account." if refused.status in (401, 422) else refused.detail
        return page(request, "sign_in.html", status=401, next=_next(next), notice=None, failure=failure)
    now = datetime.now(UTC)
    session = Session.begin(issued.token, operator=operator, expires_at=issued.expires_at, now=now)
    session_id = await _sessions(request).begin(session, now)
    response = RedirectResponse(_next(next), status_code=303)
    response.headers.append("set-cookie", request.app.state.cookies.header(session_id))
    return response


@router.post("/sign-out", openapi_extra=allow(*EVERYONE))
async def sign_out(request: Request, backend: BackendDep, _: CheckedForm) -> Response:
    """The token is revoked at identity (every service refuses it within a second), the session's row removed (a
    copy of the cookie names nothing any more) and the cookie cleared, even when identity cannot be reached: the
    token then ends within the hour, and no session holds it."""
    try:
        await backend.sign_out(token(request))
    except (Refused, Unavailable):
        pass
    if session_id := request.cookies.get(COOKIE):  # the gate found the session by it
        await _sessions(request).end(session_id)
    response = RedirectResponse("/sign-in?ended=out", status_code=303)
    response.headers.append("set-cookie", request.app.state.cookies.header(None))
    return response


@router.get("/", response_class=HTMLResponse, openapi_extra=allow(*EVERYONE))
async def home(request: Request) -> HTMLResponse:
    return page(request, "home.html")


def _sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store
