"""Each role against every route: the roles a route declares pass the wall, every other role is refused with 403
before anything is touched, and the roles match the work (docs/security.md, "Roles and operators").

No stack: each service's routers in the platform's app, with a stand-in for the database that counts every
session asked of it. A refused request must open none (so nothing can have changed); an admitted one goes past
the wall (whatever it answers next against a database that is not there, it is not 403).
"""

import re
import typing
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from claimstream_devtools import testing
from claimstream_devtools.routes import routes
from claimstream_platform.access import declared
from claimstream_platform.auth import OPERATOR, Role, TokenVerifier, generate_keypair
from claimstream_platform.engines import create_engine
from claimstream_platform.kit import Service, discover
from claimstream_platform.limits.budgets import DEFAULT_BUDGETS
from claimstream_platform.limits.limiter import RateLimiter
from claimstream_platform.limits.store import Store
from claimstream_platform.readiness import Readiness
from claimstream_platform.revocations import NoRevocations
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.web import Platform, create_app
from fastapi.routing import APIRoute

ROOT = Path(__file__).parents[2]
SERVICES = [service for service in discover(ROOT / "services") if service.name != "clearinghouse-simulator"]
CALLERS = [*sorted(str(role) for role in Role), OPERATOR]
NOWHERE = "postgresql+asyncpg://nobody:nothing@127.0.0.1:9/nothing"


class Sessions:
    """The stand-in database: it counts the sessions asked of it and has none to give."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self) -> Any:
        self.asked += 1
        raise ConnectionRefusedError("the stand-in has no database")


class Wall:
    """Every service's routers behind the platform's wall, a token per role, and the sessions asked."""

    def __init__(self, folder: Path) -> None:
        generate_keypair(folder / "signing.pem", folder / "public.pem")
        self.issuer = testing.TestIssuer.from_file(folder / "signing.pem")
        self.tenant = uuid4()
        self.sessions = Sessions()
        self.clients: dict[str, httpx.AsyncClient] = {}
        self._public_key = folder / "public.pem"

    def app_of(self, service: Service[Any]) -> Any:
        settings = ServiceSettings(
            service_name=service.name,
            database_url=NOWHERE,
            database_schema="nothing",
            kafka_bootstrap_servers="127.0.0.1:9",
            auth_public_key_file=self._public_key,
        )
        engine = create_engine(NOWHERE, schema="nothing", connections=2)
        platform = Platform(
            settings=settings,
            engine=engine,
            sessionmaker=self.sessions,  # type: ignore[arg-type]
            across_engine=engine,
            across_tenants=self.sessions,  # type: ignore[arg-type]  # an operator's sessions, counted alike
            verifier=TokenVerifier.from_file(self._public_key),
            revocations=NoRevocations(),
            # Its store is nowhere: the limiter lets every request through while it cannot count (fails open).
            limiter=RateLimiter(Store(engine), service.name, DEFAULT_BUDGETS, fail_open_seconds=float("inf")),
            readiness=Readiness(settings.kafka_bootstrap_servers, engine, self.sessions),  # type: ignore[arg-type]
        )
        app = create_app(settings, title=service.title, routers=list(service.routers), platform=platform)
        app.state.platform = platform
        app.state.unit_of_work = service.unit_of_work
        return app

    def token(self, caller: str) -> dict[str, str]:
        if caller == OPERATOR:
            return {"Authorization": f"Bearer {self.issuer.issue_operator(subject='operator:ana')}"}
        return {"Authorization": f"Bearer {self.issuer.issue(tenant_id=self.tenant, roles=[caller])}"}

    async def call(self, service: str, method: str, path: str, caller: str) -> int:
        response = await self.clients[service].request(method, path, headers=self.token(caller), json={})
        return response.status_code


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> Wall:
    """Built once: the apps in this process hold nothing open (no lifespan runs; the stand-in has no pool)."""
    built = Wall(tmp_path_factory.mktemp("roles"))
    for service in SERVICES:
        transport = httpx.ASGITransport(app=built.app_of(service), raise_app_exceptions=False)
        built.clients[service.name] = httpx.AsyncClient(transport=transport, base_url="http://test")
    return built


def _public(route: APIRoute) -> bool:
    access = declared(route)
    return access is not None and access.public is not None


# Public routes (signing in, accepting an invitation) admit no role: identity's own tests check them.
ROUTES = [
    (service, method, route)
    for service, method, route in routes(ROOT / "services")
    if service != "clearinghouse-simulator" and not _public(route)
]


def _path(route: APIRoute) -> str:
    """The route's path with a value of its declared type for each parameter."""
    values = {param.name: _value(param.field_info.annotation) for param in route.dependant.path_params}
    return re.sub(r"{(\w+)}", lambda match: str(values[match.group(1)]), route.path)


def _value(annotation: Any) -> object:
    for kind in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(kind) is typing.Literal:
            return typing.get_args(kind)[0]
        if kind in (UUID, int, date):
            return {UUID: uuid4(), int: 1, date: date(2026, 1, 1)}[kind]
    return "SIMMCR"


@pytest.mark.parametrize(("service", "method", "route"), ROUTES, ids=lambda v: getattr(v, "path", v))
async def test_each_role_is_admitted_or_refused_as_the_route_declares(
    wall: Wall, service: str, method: str, route: APIRoute
) -> None:
    access = declared(route)
    assert access is not None
    path = _path(route)
    for caller in CALLERS:
        before = wall.sessions.asked
        status = await wall.call(service, method, path, caller)
        if caller in access.roles:
            assert status not in (401, 403), f"{caller} {method} {route.path}: {status}"
        else:
            assert status == 403, f"{caller} {method} {route.path}: {status}"
            assert wall.sessions.asked == before, f"{caller} {method} {route.path} touched the database"


# The work each role must not do, whatever else changes in the declarations.
PAYER = "/v1/practices/{practice_id}/payers/{payer_id}"
REFUSED = [
    (Role.EHR_INTEGRATION, "charge-capture", "PUT", "/v1/practices/{practice_id}/fee-schedules/{payer_id}"),
    (Role.EHR_INTEGRATION, "charge-capture", "PUT", f"{PAYER}/policy"),
    (Role.EHR_INTEGRATION, "charge-capture", "PUT", f"{PAYER}/facts/{{effective_from}}"),
    (Role.EHR_INTEGRATION, "remittance-posting", "PUT", "/v1/contract-rates/{payer_id}"),
    (Role.EHR_INTEGRATION, "remittance-posting", "POST", "/v1/remittances"),
    (Role.EHR_INTEGRATION, "denial-management", "POST", "/v1/denials/{case_id}/write-off"),
    (Role.EHR_INTEGRATION, "denial-management", "POST", "/v1/denials/bulk"),
    (Role.FRONT_DESK, "denial-management", "POST", "/v1/denials/{case_id}/write-off"),
    (Role.FRONT_DESK, "denial-management", "POST", "/v1/denials/bulk"),
    (Role.AUDITOR, "claim-submission", "GET", "/v1/claims"),
    (Role.AUDITOR, "claim-submission", "GET", "/v1/claims/{claim_id}"),
    (Role.AUDITOR, "projection", "GET", "/v1/claims"),
    (Role.AUDITOR, "projection", "GET", "/v1/claims/{claim_id}"),
    (Role.BILLER, "claim-submission", "PUT", "/v1/submitter"),
    (OPERATOR, "claim-submission", "GET", "/v1/claims"),
]


@pytest.mark.parametrize(("caller", "service", "method", "path"), REFUSED, ids=str)
async def test_a_role_never_does_anothers_work(wall: Wall, caller: str, service: str, method: str, path: str) -> None:
    (route,) = [r for s, m, r in ROUTES if (s, m, r.path) == (service, method, path)]
    before = wall.sessions.asked
    assert await wall.call(service, method, _path(route), caller) == 403
    assert wall.sessions.asked == before


def test_a_read_only_token_writes_nothing_and_an_auditor_reads_no_claim_content() -> None:
    # every person renews and ends their own session (identity's routes, and the console's form that calls them)
    own_session = ("/v1/session/renew", "/v1/session/sign-out", "/sign-out")
    writes = [
        (s, m, r.path) for s, m, r in ROUTES if m != "GET" and Role.READ_ONLY in _roles(r) and r.path not in own_session
    ]
    assert writes == []
    phi = [(s, m, r.path) for s, m, r in ROUTES if Role.AUDITOR in _roles(r) and "phi" == str(_audit(r))]
    assert phi == []


def _roles(route: APIRoute) -> frozenset[str]:
    access = declared(route)
    return access.roles if access else frozenset()


def _audit(route: APIRoute) -> object:
    access = declared(route)
    return access.audit if access else None
