"""The FastAPI app factory every service uses: lifespan-owned resources, auth, problems, health.

Every router a service passes is mounted behind bearer authentication; only `/healthz` and `/readyz`
are open. Nothing here does IO at import time.
"""

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimstream_platform import metrics, openapi, telemetry
from claimstream_platform.auth import Principal, TokenVerifier
from claimstream_platform.context import call_context
from claimstream_platform.db import UnitOfWork, create_engine
from claimstream_platform.errors import Unauthenticated
from claimstream_platform.heartbeats import loop_health
from claimstream_platform.messaging.kafka import new_admin
from claimstream_platform.problems import install_problem_handlers, problem
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.x12.text import CONTROL

MAX_BODY_BYTES = 8 * 1024 * 1024
CORRELATION_HEADER = "x-correlation-id"


@dataclass
class Platform:
    """What one API process holds open: the database pool, the token verifier, Kafka health."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    verifier: TokenVerifier
    _kafka_checked_at: float = 0.0
    _kafka_ok: bool = False
    _kafka_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def open(cls, settings: ServiceSettings) -> "Platform":
        engine = create_engine(settings.database_url.get_secret_value(), schema=settings.database_schema)
        if settings.otel_exporter_otlp_endpoint:
            # Database spans under the request's, only when traces go somewhere: a span per statement costs about
            # a third of single-request throughput. The instrumentation declares support up to SQLAlchemy 2.0; its
            # engine hooks work unchanged on 2.1 (shared/tests/integration/test_telemetry.py).
            SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, skip_dep_check=True)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
            verifier=TokenVerifier.from_file(
                settings.auth_public_key_file, issuer=settings.auth_issuer, audience=settings.auth_audience
            ),
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker)

    async def close(self) -> None:
        await self.engine.dispose()

    async def database_ready(self) -> bool:
        try:
            async with asyncio.timeout(2), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def loops(self) -> dict[str, dict[str, object]]:
        try:
            async with asyncio.timeout(2), self.sessionmaker() as session:
                return await loop_health(session)
        except Exception:  # a service without heartbeats, or the database just went away
            return {}

    async def kafka_ready(self) -> bool:
        """Asks the broker for its metadata at most every 5 s, so probes do not load it."""
        async with self._kafka_lock:
            if time.monotonic() - self._kafka_checked_at > 5:
                self._kafka_ok = await _kafka_answers(self.settings.kafka_bootstrap_servers)
                self._kafka_checked_at = time.monotonic()
            return self._kafka_ok


async def _kafka_answers(bootstrap_servers: str) -> bool:
    admin = new_admin(bootstrap_servers)
    try:
        async with asyncio.timeout(3):
            await admin.start()
            await admin.describe_cluster()
        return True
    except Exception:
        return False
    finally:
        await admin.close()


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def get_principal(request: Request) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("a bearer token is required")
    return get_platform(request).verifier.verify(token.strip())


def get_unit_of_work(request: Request) -> UnitOfWork:
    return get_platform(request).unit_of_work()


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]

access_log = logging.getLogger("claimstream.access")
health = APIRouter(tags=["health"])


@health.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/metrics", response_class=PlainTextResponse)
async def prometheus_metrics() -> PlainTextResponse:
    """This process's metrics in the Prometheus text format (counts by name, route and status: no PHI)."""
    return PlainTextResponse(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


@health.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    platform = get_platform(request)
    checks = {"database": await platform.database_ready(), "kafka": await platform.kafka_ready()}
    loops = await platform.loops() if checks["database"] else {}
    if all(checks.values()):
        # A stalled loop is reported, not made a readiness failure: the API itself still answers correctly.
        return JSONResponse({"status": "ready", "checks": checks, "loops": loops})
    return problem(
        503, "Not ready", slug="not-ready", detail=", ".join(k for k, ok in checks.items() if not ok) + " unavailable",
        extensions={"loops": loops},
    )  # fmt: skip


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    platform: Platform | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """Build a service's app; `platform` may be passed in by tests, otherwise the lifespan opens one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.platform = platform or Platform.open(settings)
        try:
            yield
        finally:
            if platform is None:
                await app.state.platform.close()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_problem_handlers(app)
    openapi.install(app)
    app.include_router(health)
    for router in routers:
        app.include_router(router, dependencies=[Depends(get_principal)])
    app.add_middleware(RequestContextMiddleware, max_body_bytes=max_body_bytes)
    # One span per request; the per-message receive/send spans cost more than they tell.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz", exclude_spans=["receive", "send"])
    return app


class RequestContextMiddleware:
    """Sets the correlation id (from `X-Correlation-Id` or new) and refuses, before any route runs, what no
    route may see: a body over the limit (counted as it streams in, chunked or not, never read whole) and
    control characters PostgreSQL cannot store or X12 cannot carry, in the path, the query or a JSON body."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        body = await self._read_body(headers, receive)
        refusal = self._too_large() if body is None else _control_characters(scope, headers, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        assert body is not None
        receive = _replay(body, receive)
        correlation_id = _correlation_id(headers.get(CORRELATION_HEADER.encode()))

        status = 500  # what the server answers if the app fails before starting a response

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (CORRELATION_HEADER.encode(), str(correlation_id).encode()),
                ]
            await send(message)

        started = time.perf_counter()
        with call_context(correlation_id=correlation_id):
            try:
                await self.app(scope, receive, send_with_header)
            finally:
                _record_request(scope, status, time.perf_counter() - started)

    async def _read_body(self, headers: dict[bytes, bytes], receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read)."""
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the route sees an empty body and the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _too_large(self) -> JSONResponse:
        limit = self.max_body_bytes
        return problem(413, "Body too large", slug="body-too-large", detail=f"the limit is {limit} bytes")


def _record_request(scope: Scope, status: int, seconds: float) -> None:
    """The access log line and the HTTP metrics: the route's template, never the path's ids or the query."""
    route = scope.get("route")
    template = getattr(route, "path", None) or "unmatched"
    labels = {"method": scope["method"], "route": template, "status": str(status)}
    telemetry.HTTP_REQUESTS.add(1, labels)
    telemetry.HTTP_SECONDS.record(seconds, {"method": scope["method"], "route": template})
    if template not in ("/healthz", "/readyz", "/metrics"):
        access_log.info("request", extra={**labels, "duration_ms": round(seconds * 1000, 1)})


def _replay(body: bytes, upstream: Receive) -> Receive:
    """The body already read, then the connection's own messages (a later disconnect is real, not invented)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await upstream()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


_ESCAPED_CONTROL = re.compile(rb"\\u00(?:[01][0-9a-fA-F]|7[fF])")


def _control_characters(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> JSONResponse | None:
    """A 422 naming the first field that holds a control character (tab, LF and CR are text)."""
    bad_field = "path" if CONTROL.search(scope.get("path", "")) else None
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
        if bad_field is None and (CONTROL.search(value) or CONTROL.search(name)):
            bad_field = name
    if bad_field is None and b"json" in headers.get(b"content-type", b"") and _ESCAPED_CONTROL.search(body):
        try:
            bad_field = _find_control(json.loads(body), [])
        except (ValueError, RecursionError):
            return None  # not JSON, or nested too deeply: the route's own parsing answers 400
    if bad_field is None:
        return None
    reason = "must not contain control characters"
    return problem(
        422, "Invalid request", slug="validation", detail="1 problem(s) in the request",
        errors=[{"field": bad_field, "reason": reason, "code": "control_character"}],
    )  # fmt: skip


def _find_control(value: object, path: list[str]) -> str | None:
    if isinstance(value, str):
        return ".".join(path) or "body" if CONTROL.search(value) else None
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        if isinstance(key, str) and CONTROL.search(key):
            return ".".join(path) or "body"  # the object holding the key: a key is input too, never echoed
        found = _find_control(child, [*path, str(key)])
        if found:
            return found
    return None


def _correlation_id(raw: bytes | None) -> UUID:
    try:
        return UUID(raw.decode()) if raw else uuid4()
    except ValueError:
        return uuid4()
