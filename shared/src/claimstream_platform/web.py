"""The FastAPI app factory every service uses: lifespan-owned resources, auth, problems, health.

Every router a service passes is mounted behind bearer authentication; only `/healthz` and `/readyz`
are open. Nothing here does IO at import time.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.telemetry import TelemetryConfig
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from claimstream_platform import metrics, openapi, telemetry
from claimstream_platform.access import declared
from claimstream_platform.auth import (
    CLEARINGHOUSE_ISSUER,
    Caller,
    Operator,
    Principal,
    TokenVerifier,
    verifier_for,
)
from claimstream_platform.context import ACROSS_TENANTS, NO_TENANT, Tenancy, act_as
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.errors import Forbidden, Unauthenticated
from claimstream_platform.limits import DEFAULT_BUDGETS, RateLimiter
from claimstream_platform.limits.store import Store
from claimstream_platform.middleware import MAX_BODY_BYTES, RequestContextMiddleware
from claimstream_platform.problems import install_problem_handlers, problem
from claimstream_platform.readiness import Readiness
from claimstream_platform.revocations import NoRevocations, Revocations
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.shedding import Shedder, SheddingPolicy


@dataclass
class Platform:
    """What one API process holds open: the database pools (the app role's for a tenant's requests, the
    across-tenants role's for an operator's), the token verifier and revocation list, Kafka health."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    across_engine: AsyncEngine
    across_tenants: async_sessionmaker[AsyncSession]
    verifier: TokenVerifier
    revocations: Revocations
    limiter: RateLimiter  # request budgets, shared with every replica (limits)
    readiness: Readiness
    shedder: Shedder = field(default_factory=Shedder)  # this process's requests in flight (shedding.py)

    @classmethod
    def open(cls, settings: ServiceSettings) -> "Platform":
        schema, pools = settings.database_schema, (settings.database_connections, settings.across_tenants_connections)
        across = create_engine(settings.across_tenants_url, schema=schema, connections=pools[1])
        engine = create_engine(settings.database_url.get_secret_value(), schema=schema, connections=pools[0])
        if settings.otel_exporter_otlp_endpoint:
            # Database spans only where traces go somewhere: a span per statement costs a third of single requests'
            # throughput. (Declared for SQLAlchemy 2.0, its hooks work on 2.1: tests/integration/test_telemetry.py.)
            for each in (engine, across):
                SQLAlchemyInstrumentor().instrument(engine=each.sync_engine, skip_dep_check=True)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=sessions(engine),
            across_engine=across,
            across_tenants=sessions(across),
            verifier=verifier_for(settings),
            revocations=_revocations(settings),
            limiter=RateLimiter(
                Store(engine),
                settings.service_name,
                {**DEFAULT_BUDGETS, **settings.rate_limits},
                fail_open_seconds=settings.rate_limit_fail_open_seconds,
            ),
            readiness=Readiness(settings.kafka_bootstrap_servers, engine, sessions(engine)),
            shedder=Shedder(SheddingPolicy.of(settings), on_change=telemetry.HTTP_IN_FLIGHT.add),
        )

    async def start(self) -> None:
        """Before the first request: the revocation list loaded (refreshed before requests from then on: gate.admit)
        and the limiter's store read once (its first connection opened)."""
        await self.revocations.start()
        await self.limiter.start()

    async def close(self) -> None:
        await self.revocations.close()
        await self.engine.dispose()
        await self.across_engine.dispose()


def _revocations(settings: ServiceSettings) -> Revocations:
    """The identity service's list, on a connection of its own; the simulated clearinghouse verifies its own
    tokens, which we never revoke."""
    if settings.auth_issuer == CLEARINGHOUSE_ISSUER:
        return NoRevocations()
    return Revocations(
        create_engine(settings.database_url.get_secret_value(), schema=settings.database_schema, connections=1),
        settings.revocations_schema,
        interval=settings.revocation_refresh_seconds,
        max_stale=settings.revocation_max_stale_seconds,
    )


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def authenticate(request: Request) -> Caller:
    """The bearer token's caller, verified once per request: by the middleware, before the body is read, for a
    route that declares roles (gate.py), which keeps it in the request's state for the route."""
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("a bearer token is required")
        caller = get_platform(request).verifier.verify(token.strip())
        request.state.caller = caller
    get_platform(request).revocations.check(caller)  # revoked: 401; the list out of date: 503
    return caller


async def enforce_access(request: Request) -> None:
    """What every mounted route runs first: its declaration (`access.allow`) against the caller's roles.

    A route that declares nothing is refused, whoever calls it; a public route is left to its own check."""
    access = declared(request.scope.get("route"))
    if access is None:
        raise Forbidden("this route declares no roles", field="route")
    if access.public:
        return
    caller = authenticate(request)
    if not access.admits(caller.roles):
        raise Forbidden("your role does not allow this action", field="token")
    act_as(caller.subject)  # async, so it runs in the request's own task and the endpoint sees it


async def get_caller(request: Request) -> Caller:
    return authenticate(request)


async def get_principal(request: Request) -> Principal:
    """A tenant's caller; an installation operator has no business on a tenant's route."""
    caller = authenticate(request)
    if not isinstance(caller, Principal):
        raise Forbidden("this route is for a tenant's users", field="token")
    return caller


async def get_whole_tenant_principal(request: Request) -> Principal:
    """A tenant's caller whose token reaches every practice: what spans the tenant (its users, its access log) is
    refused (403, whatever the ids) to a token limited to practices."""
    principal = await get_principal(request)
    principal.require_whole_tenant("this")
    return principal


async def get_operator(request: Request) -> Operator:
    caller = authenticate(request)
    if not isinstance(caller, Operator):
        raise Forbidden("this route is for installation operators", field="token")
    return caller


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
WholeTenantPrincipal = Annotated[Principal, Depends(get_whole_tenant_principal)]
CurrentOperator = Annotated[Operator, Depends(get_operator)]
CurrentCaller = Annotated[Caller, Depends(get_caller)]


async def get_unit_of_work(request: Request) -> UnitOfWork:
    """The service's own unit of work (its repositories hang off it: `uow.claims`), on the app role's pool, working
    as the caller's tenant: row-level security shows it that tenant's rows alone. An installation operator works
    across tenants, on the across-tenants role's pool; a public route's anonymous caller (signing in) is no
    tenant's and sees no tenant's rows."""
    work: type[UnitOfWork] = request.app.state.unit_of_work
    platform, access = get_platform(request), declared(request.scope.get("route"))
    caller = None if access is not None and access.public else authenticate(request)
    if isinstance(caller, Operator):
        return work(platform.across_tenants, ACROSS_TENANTS)
    tenancy = Tenancy.of(caller.tenant_id) if isinstance(caller, Principal) else NO_TENANT
    return work(platform.sessionmaker, tenancy, across_tenants=platform.across_tenants)


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]

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
    # A stalled loop is reported, not made a readiness failure: the API itself still answers correctly.
    ready, report = await get_platform(request).readiness.report()
    if ready:
        return JSONResponse(report)
    return problem(503, "Not ready", slug="not-ready", detail=report["detail"], extensions={"loops": report["loops"]})


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    platform: Platform | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    unit_of_work: type[UnitOfWork] = UnitOfWork,
) -> FastAPI:
    """Build a service's app; `platform` may be passed in by tests, otherwise the lifespan opens one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.platform = platform or Platform.open(settings)
        if platform is None:
            await app.state.platform.start()
        try:
            yield
        finally:
            if platform is None:
                await app.state.platform.close()

    # FastAPI's own telemetry off: OpenTelemetry's instrumentation (below) is the one, and FastAPI's would add a
    # second request span, its own spans per dependency and serialization, and a second duration histogram.
    native = TelemetryConfig(tracing=False, metrics=False, logs=False)
    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None, telemetry=native)
    app.state.unit_of_work = unit_of_work
    install_problem_handlers(app)
    openapi.install(app)
    app.include_router(health)
    for router in routers:
        app.include_router(router, dependencies=[Depends(enforce_access)])
    app.add_middleware(RequestContextMiddleware, authenticate=authenticate, max_body_bytes=max_body_bytes)
    # One span per request; the per-message receive/send spans cost more than they tell.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz", exclude_spans=["receive", "send"])
    return app
