"""pytest fixtures for tests that need the real stack: Kafka and PostgreSQL, started once per session.

Natively (the `test` profile: its own ports and data folder, so it runs beside `make run`), or with testcontainers
when a Docker engine answers, or the servers that KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL name."""

import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from claimstream_platform import migrate, tenants
from claimstream_platform import practices as registry
from claimstream_platform.auth import (
    CLEARINGHOUSE_ACCOUNT,
    CLEARINGHOUSE_AUDIENCE,
    CLEARINGHOUSE_ISSUER,
    TENANT_ROLES,
    TokenIssuer,
    generate_keypair,
)
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.kit import Service
from claimstream_platform.limits import store as limits
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.web import Platform
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from claimstream_devtools.devstack.kafka import KafkaBroker
from claimstream_devtools.devstack.mail import MailSink
from claimstream_devtools.devstack.postgres import PostgresServer
from claimstream_devtools.devstack.stack import LocalStack, docker_engine_answers, test_profile
from claimstream_devtools.schemas_under_test import (
    _roles,
    service_schema,
)


@dataclass
class StackUnderTest:
    database_url: str
    bootstrap_servers: str
    broker: KafkaBroker | None  # None when the broker is not ours to stop and start
    postgres: PostgresServer | None = None  # likewise for the database server
    smtp: tuple[str, int] = ("127.0.0.1", 25)  # where the services send mail: the stack's SMTP sink
    mail: Path | None = None  # the folder the sink keeps each message in (devstack.mail.delivered reads it)

    def restart_broker(self, *, crash: bool = False, down_for: float = 0.0) -> None:
        """A clean stop and start, or with `crash` a SIGKILL of the broker and a start, `down_for` seconds later."""
        if self.broker is None:
            pytest.skip("the broker is external: it cannot be bounced by this test")
        if crash:
            self.broker.kill()
        else:
            self.broker.stop()
        time.sleep(down_for)
        self.broker.start()

    def restart_postgres(self, *, crash: bool = False) -> None:
        """`pg_ctl restart -m fast`, or with `crash` a kill -9 of the postmaster and a start once it can."""
        if self.postgres is None:
            pytest.skip("the database server is external: it cannot be restarted by this test")
        if crash:
            self.postgres.kill()
        else:
            self.postgres.stop(mode="fast")
        self.postgres.start()


@contextmanager
def _containers() -> Iterator[StackUnderTest]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer("postgres:17", driver="asyncpg") as pg,
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
    ):
        database_url = pg.get_connection_url()
        migrate.upgrade(database_url, schema=tenants.SCHEMA, script_location=tenants.MIGRATIONS)
        migrate.upgrade(database_url, schema=limits.SCHEMA, script_location=limits.MIGRATIONS)
        sink = MailSink(test_profile().data_dir / "mail", test_profile().smtp_port)
        sink.start()
        try:
            yield StackUnderTest(
                database_url, kafka.get_bootstrap_server(), None, None, ("127.0.0.1", sink.port), sink.folder
            )
        finally:
            sink.stop()


@pytest.fixture(scope="session")
def stack() -> Iterator[StackUnderTest]:
    external = os.environ.get("DATABASE_URL") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not external and docker_engine_answers():
        with _containers() as under_test:
            yield under_test
        return
    local = LocalStack(test_profile())
    local.start(fresh=True)
    try:
        print(f"\nlocal test stack: Kafka started in {local.kafka_start_seconds or 0:.1f} s")
        mail = local.mail.folder if local.mail else None
        yield StackUnderTest(
            local.database_url, local.bootstrap_servers, local.broker, local.postgres, local.smtp, mail
        )
    finally:
        local.stop()


@dataclass(frozen=True)
class TestIssuer(TokenIssuer):
    """Tokens for tests: a tenant's token carries every tenant role unless the test names the roles (a test of a
    refusal names them), and the clearinghouse's carries its account role."""

    default_roles: tuple[str, ...] = tuple(sorted(TENANT_ROLES))

    def issue(self, *, roles: Iterable[str] | None = None, **claims: Any) -> str:
        return super().issue(roles=self.default_roles if roles is None else roles, **claims)


@dataclass(frozen=True)
class Keys:
    issuer: TestIssuer
    public_key_file: Path


def new_keys(folder: Path, *, clearinghouse: bool = False) -> Keys:
    """A key pair made in `folder` and its issuer: claimstream's, or with `clearinghouse` the simulated
    clearinghouse's own key, issuer and audience (the outside world's credentials)."""
    generate_keypair(folder / "signing.pem", folder / "public.pem")
    if not clearinghouse:
        return Keys(TestIssuer.from_file(folder / "signing.pem"), folder / "public.pem")
    issuer = TestIssuer.from_file(
        folder / "signing.pem",
        issuer=CLEARINGHOUSE_ISSUER,
        audience=CLEARINGHOUSE_AUDIENCE,
        default_roles=(CLEARINGHOUSE_ACCOUNT,),
    )
    return Keys(issuer, folder / "public.pem")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return new_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def clearinghouse_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return new_keys(tmp_path_factory.mktemp("clearinghouse-keys"), clearinghouse=True)


@asynccontextmanager
async def app_client(app: FastAPI, settings: ServiceSettings, **client: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a service's app in this process, with the platform resources its lifespan would open."""
    platform = Platform.open(settings)
    app.state.platform = platform  # ASGITransport does not run the lifespan
    await platform.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), **{"base_url": "http://test", **client}
        ) as c:
            yield c
    finally:
        await platform.close()


def service_settings(
    service: Service[Any], stack: StackUnderTest, schema: str, public_key_file: Path, **overrides: Any
) -> Any:
    """The service's own settings class, pointed at the test stack and `schema`: as its app and across-tenants roles
    when the schema has roles of its own (`migrated_schema`), so every request of a test runs under row-level
    security (a schema without them is the superuser's, which crosses every wall)."""
    roles = _roles.get(schema)
    return service.settings(
        service_name=service.name,
        database_url=roles.app_url if roles else stack.database_url,
        migration_database_url=roles.owner_url if roles else None,
        across_tenants_database_url=roles.across_url if roles else stack.database_url,
        database_schema=schema,
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=public_key_file,
        **{"revocations_schema": schema, "smtp_host": stack.smtp[0], "smtp_port": stack.smtp[1], **overrides},
    )


@asynccontextmanager
async def service_client(
    service: Service[Any], settings: ServiceSettings, **client: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the service's app, built by the kit as in production, in this process."""
    async with app_client(service.app(settings), settings, **client) as http:
        yield http


def unused_credential(folder: Path) -> Path:
    """A partner credential file for an app whose API, under test, never calls the partner."""
    path = folder / "unused-credential"
    path.write_text("unused: the API never calls the partner")
    return path


Owned = Mapping[UUID, Iterable[UUID]]  # a tenant -> its practices


async def register_practices(stack: StackUnderTest, owned: Owned) -> None:
    """Practices in the platform's registry as their tenant's (tenant -> its practices), as charge capture registers
    each it sets up: for the tests of a service that names practices no charge capture set up. The registry is the
    installation's, shared by every test: a practice id belongs to one tenant in every test that names it."""
    if not owned:
        return
    engine = create_engine(stack.database_url, schema=registry.SCHEMA, connections=2)
    try:
        async with AsyncSession(engine) as session, session.begin():
            for tenant_id, practice_ids in owned.items():
                for practice_id in practice_ids:
                    await registry.register(session, practice_id, tenant_id)
    finally:
        await engine.dispose()


def service_fixtures(
    service: Service[Any], *, keys: str = "keys", practices: Owned | None = None, **settings: Any
) -> tuple[Any, Any, Any, Any]:
    """The fixtures a service's tests start from, derived from its declaration. In its `conftest.py`:

        schema, engine, make_uow, client = service_fixtures(SERVICE, clearinghouse_url="http://sim")

    `schema`: a fresh migrated schema per test; `engine` and `make_uow`: on it; `client`: the kit's app in this
    process, pointed at them, verifying the `keys` fixture's tokens, with `practices` registered and `settings` as
    overrides (a callable is given the test's `tmp_path`, for files)."""

    @pytest.fixture
    async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
        async with service_schema(stack, service) as name:
            yield name

    @pytest.fixture
    async def engine(stack: StackUnderTest, schema: str) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(stack.database_url, schema=schema, connections=6)
        yield engine
        await engine.dispose()

    @pytest.fixture
    def make_uow(engine: AsyncEngine) -> Callable[[], UnitOfWork]:
        """As the superuser, which no wall stops (what a test sets up or checks), across tenants too."""
        made = sessions(engine)
        return lambda: service.unit_of_work(made, across_tenants=made)

    @pytest.fixture
    async def client(
        request: pytest.FixtureRequest, stack: StackUnderTest, schema: str, tmp_path: Path
    ) -> AsyncIterator[httpx.AsyncClient]:
        signing: Keys = request.getfixturevalue(keys)
        await register_practices(stack, practices or {})
        values = {name: value(tmp_path) if callable(value) else value for name, value in settings.items()}
        configured = service_settings(service, stack, schema, signing.public_key_file, **values)
        async with service_client(service, configured) as c:
            yield c

    return schema, engine, make_uow, client


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Each service's test helpers (`services/*/tests`) and the shared ones are importable by convention, before
    any conftest imports them: a new service needs no edit to the root configuration."""
    root = Path(str(early_config.rootpath))
    for folder in [root / "shared" / "tests", *sorted((root / "services").glob("*/tests"))]:
        if folder.is_dir() and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the real stack are marked `stack`, so `-m "not stack"` runs the fast ones alone."""
    for item in items:
        if "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.stack)
