"""The console, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m console migrate | api | worker`.

It is a service with an API and templates only: no aggregates, no events, no business tables. Each page calls the
services' public APIs with the signed-in person's own token (`backend.py`), obtained from identity at sign-in; the
console holds no signing key and reads no other service's database. Its one table is the signed-in people's
sessions (`ConsoleWork`, `SessionStore`: the cookie carries only a session's id); its one secret is the key that
seals the tokens kept there (CONSOLE_SESSION_KEY_FILE), given to the console alone."""

import inspect
from datetime import timedelta
from pathlib import Path

import httpx
from claimstream_platform.kit import Service
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import Field, FilePath

from console import gate
from console.backend import TIMEOUT, Backend, Refused, Unavailable
from console.pages import (
    claims,
    denials,
    desk,
    estimates,
    home,
    office,
    ops,
    patients,
    remittances,
    reports,
    setup,
)
from console.render import error_page, pages_openapi
from console.repository import ConsoleWork, SessionStore
from console.session import Cookies, Sealer

SERVICES = (
    "identity",
    "charge_capture",
    "claim_submission",
    "eligibility",
    "prior_authorization",
    "remittance_posting",
    "denial_management",
    "projection",
    "patient_billing",
    "billing_office",
)


class ConsoleSettings(ServiceSettings):
    console_session_key_file: FilePath  # a Fernet key: seals the tokens of the sessions kept; the console's alone
    # A session unused this long ends; under the token's hour, so that a person back in time finds it renewed.
    console_idle_minutes: int = Field(default=30, ge=1, le=50)
    console_secure_cookie: bool = True  # the cookie goes over HTTPS only; the local stack's plain HTTP sets false
    identity_url: str
    charge_capture_url: str
    claim_submission_url: str
    eligibility_url: str
    prior_authorization_url: str
    remittance_posting_url: str
    denial_management_url: str
    projection_url: str
    patient_billing_url: str
    billing_office_url: str


def prepare(settings: ConsoleSettings, app: FastAPI) -> None:
    urls = {name: str(getattr(settings, f"{name}_url")).rstrip("/") for name in SERVICES}
    app.state.backend = Backend(urls, httpx.AsyncClient(timeout=TIMEOUT))
    pages_openapi(app)
    app.mount("/static", StaticFiles(packages=[("console", "static")]), name="static")
    _door(settings, app)

    platform_unexpected = app.exception_handlers[Exception]

    async def unexpected(request: Request, error: Exception) -> HTMLResponse:
        logged = platform_unexpected(request, error)  # logged as the platform logs it (no PHI)
        if inspect.isawaitable(logged):
            await logged
        detail = "Something went wrong on our side; it has been logged. Try again, or go back."
        return HTMLResponse(error_page(500, "Something went wrong", detail), status_code=500)

    app.add_exception_handler(Exception, unexpected)

    @app.exception_handler(Refused)
    async def refused(_: Request, error: Refused) -> HTMLResponse:
        return HTMLResponse(error_page(error.status, error.title, error.detail), status_code=error.status)

    @app.exception_handler(Unavailable)
    async def unavailable(_: Request, error: Unavailable) -> HTMLResponse:
        name = error.service.replace("_", " ")
        if error.busy:
            detail = f"{name} asks to wait: too many requests for now. Try again in {error.retry_after} seconds."
        else:
            detail = f"{name} is not answering; try again in a few seconds."
        status = 429 if error.busy else 503
        page = error_page(status, "Please wait" if error.busy else "Service unavailable", detail)
        return HTMLResponse(page, status_code=status, headers={"Retry-After": str(error.retry_after)})


def _door(settings: ConsoleSettings, app: FastAPI) -> None:
    """The session gate, and the sessions it finds: kept on the platform's pool of the app role (which the app's
    lifespan opens after this: read when used), their tokens sealed under the console's key."""
    sealer = Sealer(settings.console_session_key_file.read_bytes().strip())
    app.state.cookies = Cookies(settings.console_secure_cookie)
    app.state.sessions = SessionStore(lambda: app.state.platform.sessionmaker, sealer)
    app.add_middleware(
        gate.SessionGate,
        cookies=app.state.cookies,
        sessions=app.state.sessions,
        backend=lambda: app.state.backend,
        idle=timedelta(minutes=settings.console_idle_minutes),
        problem_page=error_page,
    )


SERVICE = Service(
    name="console",
    package="console",
    port=8000,
    title="claimstream console",
    settings=ConsoleSettings,
    routers=[
        home.router,
        denials.router,
        claims.router,
        remittances.router,
        patients.router,
        estimates.router,
        desk.router,
        reports.router,
        office.router,
        setup.router,
        ops.router,
    ],
    migrations=Path(__file__).parent / "migrations",
    prepare_app=prepare,
    publishes=False,  # it records no events: what people do is recorded by the services they act through
    unit_of_work=ConsoleWork,
)
