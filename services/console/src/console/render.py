"""Pages from templates (Jinja2, autoescaped), with what every page shows: who is signed in, the links their roles
open, the form's CSRF token; and the one check every form's POST runs (`checked_form`)."""

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from claimstream_platform.auth import OPERATOR, Operator, Role
from claimstream_platform.errors import Forbidden
from claimstream_platform.problems import MEDIA_TYPE
from claimstream_platform.web import authenticate
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData

from console.backend import Backend
from console.session import RELOADED, Session

TEMPLATES = Environment(
    loader=PackageLoader("console"), autoescape=select_autoescape(default=True), undefined=StrictUndefined
)


@dataclass(frozen=True)
class Link:
    label: str
    path: str
    roles: frozenset[str]


def _link(label: str, path: str, *roles: str) -> Link:
    return Link(label, path, frozenset(roles))


# Every page a person can open from the menu, and who may (each page declares the same roles on its route).
LINKS = (
    _link("Denials", "/denials", Role.BILLER, Role.READ_ONLY),
    _link("Held claims", "/held", Role.BILLER),
    _link("Interchanges", "/interchanges", Role.BILLER),
    _link("Claims", "/claims", Role.BILLER, Role.READ_ONLY),
    _link("Exceptions", "/exceptions", Role.BILLER, OPERATOR),
    _link("Variances", "/variances", Role.BILLER, Role.READ_ONLY),
    _link("Recoupments", "/recoupments", Role.BILLER, Role.READ_ONLY),
    _link("Patients", "/patients", Role.BILLER, Role.FRONT_DESK, Role.READ_ONLY),
    _link("Credit balances", "/credits", Role.BILLER),
    _link("Coverage check", "/coverage", Role.BILLER, Role.FRONT_DESK),
    _link("A/R aging", "/ar", Role.BILLER, Role.READ_ONLY),
    _link("The month", "/office", Role.TENANT_ADMIN, Role.BILLER, Role.READ_ONLY),
    _link("Set-up", "/setup", Role.TENANT_ADMIN),
    _link("Streams", "/ops", OPERATOR),
)


PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}  # a document passed through


def money(value: Any) -> str:
    return f"${Decimal(str(value)):,.2f}" if value not in (None, "") else "—"


TEMPLATES.filters["money"] = money


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    session: Session | None = getattr(request.state, "session", None)
    caller = authenticate(request) if session is not None else None
    roles = caller.roles if caller is not None else frozenset()
    shown = {
        "links": [link for link in LINKS if link.roles & roles],
        "signed_in": caller is not None,
        "operator": isinstance(caller, Operator),
        "roles": sorted(roles),
        "csrf": session.csrf if session is not None else "",
        "form_key": secrets.token_urlsafe(16),  # each form's idempotency key: sent twice, acted on once
        "path": request.url.path,
        "query": context.pop("query", ""),  # the list's filters, for its next page's link (`filters`)
    }
    return HTMLResponse(TEMPLATES.get_template(template).render(**shown, **context), status_code=status)


def filters(wanted: dict[str, Any]) -> str:
    """A list's filters as a query string (the ones set), for its next page's link."""
    return urlencode({name: value for name, value in wanted.items() if value not in (None, "")})


def error_page(status: int, title: str, detail: str) -> bytes:
    shown = {"links": [], "signed_in": False, "operator": False, "roles": [], "csrf": "", "path": "", "query": ""}
    return TEMPLATES.get_template("problem.html").render(status=status, title=title, detail=detail, **shown).encode()


def pages_openapi(app: FastAPI) -> None:
    """The console's OpenAPI says what it answers: its refusals are pages (text/html), not problem documents."""
    platform_schema = app.openapi

    def schema() -> dict[str, Any]:
        document = platform_schema()
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    if MEDIA_TYPE in response.get("content", {}):
                        response["content"] = {"text/html": {"schema": {"type": "string"}}}
        return document

    app.openapi = schema  # type: ignore[method-assign]


async def checked_form(request: Request) -> FormData:
    """The form, once its CSRF token matches the session's (a forged form carries none)."""
    session: Session | None = getattr(request.state, "session", None)
    form = await request.form()
    sent = str(form.get("csrf", ""))
    if session is None or not secrets.compare_digest(sent.encode(), session.csrf.encode()):
        raise Forbidden("the form's CSRF token does not match this session", field="csrf")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str) -> str:
    """A form's field as typed, trimmed ("" when left out)."""
    return str(form.get(name) or "").strip()


def form_key(form: FormData) -> str:
    """The form's idempotency key (each rendered form has its own): sent twice, it acts once."""
    return str(form.get("form_key"))


def token(request: Request) -> str:
    """The signed-in person's token, as the gate put it on the request."""
    return str(request.headers["authorization"]).removeprefix("Bearer ")


async def backend(request: Request) -> Backend:
    found: Backend = request.app.state.backend
    return found


BackendDep = Annotated[Backend, Depends(backend)]


Reload = Literal["on", "off"]  # a long operation's page: reloading itself, or stopped by the person
RELOAD_SECONDS = 3


def reloads_itself(answer: HTMLResponse, request: Request) -> HTMLResponse:
    """The page reloads itself (no script: a Refresh header) to show a long operation's progress; its page offers
    to stop it (`?refresh=off`), as a page that changes under a screen reader must (WCAG 2.2.1). The reload is
    marked, so that the gate does not take it for the person's visit: a tab left open still reaches the idle limit."""
    answer.headers["Refresh"] = f"{RELOAD_SECONDS}; url={request.url.path}?{RELOADED}=1"
    return answer
