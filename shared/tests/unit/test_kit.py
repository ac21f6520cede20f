"""The service kit: a declaration gives the app, the worker's parts and the local stack's list of services."""

import asyncio
import subprocess
import sys
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import pytest
from claimstream_platform.auth import Operator, Principal
from claimstream_platform.context import ACROSS_TENANTS, Tenancy
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.db import Repository, UnitOfWork
from claimstream_platform.engines import create_engine
from claimstream_platform.kit import Runtime, Service, discover
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.outbox import OutboxRelay
from claimstream_platform.retention import Pruning, RetentionPolicy
from claimstream_platform.revocations import NoRevocations
from claimstream_platform.settings import MissingDatabaseRole, ServiceSettings
from claimstream_platform.web import Platform, get_unit_of_work
from fastapi import APIRouter
from sqlalchemy import Column, MetaData, Table
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import async_sessionmaker

ROOT = Path(__file__).resolve().parents[3]
router = APIRouter()


@router.get("/v1/things")
async def things() -> list[str]:
    return []


async def on_captured(event: ChargeCaptured, uow: UnitOfWork) -> None:
    """A subscription for the declaration below."""


class Tick:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings

    async def run(self) -> None: ...

    def stop(self) -> None: ...


def toy(**changes: object) -> Service[ServiceSettings]:
    values: dict[str, object] = {
        "name": "toy",
        "package": "toy",
        "port": 8099,
        "title": "toy",
        "settings": ServiceSettings,
        "routers": [router],
        "migrations": Path("migrations"),
    }
    values.update(changes)
    return Service(**values)  # type: ignore[arg-type]


def runtime(tmp_path: Path, **environment: str) -> Runtime[ServiceSettings]:
    (tmp_path / "public.pem").write_text("unused")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        settings = ServiceSettings(
            service_name="toy",
            database_url="postgresql+asyncpg://u:p@127.0.0.1:1/x",
            database_schema="toy",
            kafka_bootstrap_servers="127.0.0.1:1",
            auth_public_key_file=tmp_path / "public.pem",
        )
    engine = create_engine(settings.database_url.get_secret_value(), schema="toy")  # connects on first use only
    across = create_engine("postgresql+asyncpg://toy_across:p@127.0.0.1:1/x", schema="toy")
    return Runtime(settings, async_sessionmaker(engine), async_sessionmaker(across))


def test_the_worker_is_the_relay_the_consumer_the_loops_and_the_retention_pass(tmp_path: Path) -> None:
    ready = runtime(tmp_path)
    relay_only = toy().workers(ready)
    assert [type(w) for w in relay_only] == [OutboxRelay, Pruning]
    full = toy(subscriptions={ChargeCaptured: on_captured}, loops=[lambda r: Tick(r.settings)]).workers(ready)
    assert [type(w) for w in full] == [OutboxRelay, Consumer, Tick, Pruning]
    relay, consumer = full[0], full[1]
    assert isinstance(relay, OutboxRelay) and isinstance(consumer, Consumer)
    assert relay.sessionmaker is ready.across_tenants  # every tenant's events: the across-tenants role
    assert (consumer.sessionmaker, consumer.across_tenants) == (ready.sessionmaker, ready.across_tenants)
    assert [type(w) for w in toy(publishes=False, loops=[lambda r: Tick(r.settings)]).workers(ready)] == [Tick, Pruning]
    resting = toy(subscriptions={ChargeCaptured: on_captured}, together=True, gather_seconds=1.0).workers(ready)[1]
    assert isinstance(resting, Consumer) and (resting.together, resting.gather_seconds) == (True, 1.0)


def test_the_retention_pass_is_the_services_loop_with_the_installations_settings(tmp_path: Path) -> None:
    ready = runtime(tmp_path, OUTBOX_RETENTION_DAYS="3", INBOX_RETENTION_DAYS="-1", RETENTION_BATCH_SIZE="100")
    [pruning] = [worker for worker in toy().workers(ready) if isinstance(worker, Pruning)]
    assert pruning.name == "toy.retention"
    assert pruning._sessionmaker is ready.across_tenants  # every tenant's idempotency keys: the across-tenants role
    assert pruning._policy == RetentionPolicy(
        outbox=timedelta(days=3), inbox=None, idempotency_grace=timedelta(hours=1), batch_size=100
    )


def test_subscriptions_may_be_made_from_what_the_worker_read_at_start(tmp_path: Path) -> None:
    ready, seen = runtime(tmp_path), []

    def keyed(started: Runtime[ServiceSettings]) -> dict[type[ChargeCaptured], object]:
        seen.append(started.settings.service_name)  # a key file it names, for instance
        return {ChargeCaptured: on_captured}

    with pytest.raises(RuntimeError, match="`consumes` does not name"):  # the manifests read `consumes` for its ACLs
        toy(subscriptions=keyed).workers(ready)
    workers = toy(subscriptions=keyed, consumes=[ChargeCaptured]).workers(ready)
    assert [type(w) for w in workers] == [OutboxRelay, Consumer, Pruning] and seen == ["toy", "toy"]
    assert workers[1].subscriptions == {ChargeCaptured: on_captured}  # type: ignore[attr-defined]


def test_neither_the_api_nor_the_worker_starts_without_the_across_tenants_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No falling back to the app role's URL: it cannot cross tenants, and must not be made to."""
    settings = runtime(tmp_path).settings
    with pytest.raises(MissingDatabaseRole, match="ACROSS_TENANTS_DATABASE_URL"):
        Platform.open(settings)
    for name, value in {
        "SERVICE_NAME": "toy",
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "DATABASE_SCHEMA": "toy",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "AUTH_PUBLIC_KEY_FILE": str(settings.auth_public_key_file),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ACROSS_TENANTS_DATABASE_URL", raising=False)
    with pytest.raises(MissingDatabaseRole, match="ACROSS_TENANTS_DATABASE_URL"):
        asyncio.run(toy().run_worker())


def test_the_app_carries_the_declared_routes_and_the_platforms(tmp_path: Path) -> None:
    ready = runtime(tmp_path)
    prepared: list[str] = []
    app = toy(prepare_app=lambda settings, app: prepared.append(settings.service_name)).app(ready.settings)
    paths = set(app.openapi()["paths"]) | {getattr(route, "path", "") for route in app.routes}
    assert {"/v1/things", "/readyz"} <= paths and prepared == ["toy"]


def test_every_service_in_the_checkout_is_found_with_a_port_of_its_own() -> None:
    found = discover(ROOT / "services")
    assert {"charge_capture", "claim_submission", "clearinghouse_simulator"} <= {s.package for s in found}
    assert len({s.port for s in found}) == len(found) and len({s.name for s in found}) == len(found)
    for service in found:  # its __main__ is the kit's: a few lines
        main = ROOT / "services" / service.package / "src" / service.package / "__main__.py"
        assert "SERVICE.main()" in main.read_text() and len(main.read_text().splitlines()) <= 8


def test_a_services_own_command_runs_with_its_settings_and_exits_with_its_status(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = tmp_path / "public.pem"
    key.write_text("unused")
    for name, value in {
        "SERVICE_NAME": "s",
        "DATABASE_URL": "postgresql+asyncpg://u:p@localhost/db",
        "DATABASE_SCHEMA": "s",
        "KAFKA_BOOTSTRAP_SERVERS": "localhost:1",
        "AUTH_PUBLIC_KEY_FILE": str(key),
    }.items():
        monkeypatch.setenv(name, value)
    seen: list[str] = []

    def again(settings: ServiceSettings) -> int:
        seen.append(settings.service_name)
        return 3

    service = Service(
        name="s",
        package="s",
        port=1,
        title="s",
        settings=ServiceSettings,
        routers=[],
        migrations=tmp_path,
        commands={"again": ("run it", again)},
    )
    monkeypatch.setattr("sys.argv", ["s", "again"])
    with pytest.raises(SystemExit) as stopped:
        service.main()
    assert (stopped.value.code, seen) == (3, ["s"])


class Things(Repository):
    table = Table("things", MetaData(), Column("tenant_id", PgUUID(as_uuid=True)))


class ToyWork(UnitOfWork):
    """A service's own unit of work: its repositories are its attributes."""

    @cached_property
    def things(self) -> Things:
        return Things(self)


async def test_the_routes_the_consumer_and_the_tests_work_in_the_services_own_unit_of_work(tmp_path: Path) -> None:
    ready = runtime(tmp_path)
    declared = toy(subscriptions={ChargeCaptured: on_captured}, unit_of_work=ToyWork)
    consumer = next(w for w in declared.workers(ready) if isinstance(w, Consumer))
    assert consumer.unit_of_work is ToyWork
    tenant = uuid4()
    caller = Principal(subject="integration:toy", tenant_id=tenant, practice_ids=None, token_id="t")
    request = SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(unit_of_work=ToyWork)),
        scope={"route": None},
        state=SimpleNamespace(caller=caller),  # authenticated already, as the middleware leaves it
    )
    request.app.state.platform = SimpleNamespace(
        sessionmaker=ready.sessionmaker, across_tenants=ready.across_tenants, revocations=NoRevocations()
    )
    uow = await get_unit_of_work(request)  # type: ignore[arg-type]
    assert isinstance(uow, ToyWork) and uow.things is uow.things  # one repository per unit of work
    assert uow.tenancy == Tenancy.of(tenant)  # row-level security's tenant: the caller's
    assert uow._sessionmaker is ready.sessionmaker  # the app role's
    request.state.caller = Operator(subject="operator:ana", token_id="o")
    operators = await get_unit_of_work(request)  # type: ignore[arg-type]
    assert (operators.tenancy, operators._sessionmaker) == (ACROSS_TENANTS, ready.across_tenants)
    assert declared.app(ready.settings).state.unit_of_work is ToyWork


def test_a_repository_writes_its_tenant_filter_once() -> None:
    tenant = uuid4()
    mine = Things(UnitOfWork(async_sessionmaker())).mine(tenant)
    assert str(mine) == "things.tenant_id = :tenant_id_1" and mine.right.value == tenant  # type: ignore[attr-defined]


class Recorder:
    """An aggregate that recorded two events."""

    def __init__(self, *events: ChargeVoided) -> None:
        self.events = list(events)

    def take_events(self) -> list[ChargeVoided]:
        taken, self.events = self.events, []
        return taken


def test_the_events_aggregates_recorded_are_staged_in_order_once() -> None:
    first, second, third = (
        ChargeVoided(
            tenant_id=uuid4(),
            encounter_id=uuid4(),
            version=1,
            external_id=f"e{n}",
            service_date=date(2026, 1, 5),
            reason="corrected",
        )
        for n in range(3)
    )
    uow, one, other = UnitOfWork(async_sessionmaker()), Recorder(first, second), Recorder(third)
    assert uow.publish_recorded(one, other) == [first, second, third]
    assert uow.publish_recorded(one, other) == []  # taken: never staged twice
    assert [row["event_type"] for row in uow._pending] == [ChargeVoided.event_type] * 3


async def test_a_unit_of_work_crosses_tenants_only_with_sessions_that_can() -> None:
    """Where it already crosses (a loop's pass), `across_tenants()` is the unit of work itself; a tenant's unit of
    work given no across-tenants sessions refuses, rather than look as the app role (which would find nothing)."""
    async with UnitOfWork(async_sessionmaker(), ACROSS_TENANTS) as uow, uow.across_tenants() as across:
        assert across is uow
    async with UnitOfWork(async_sessionmaker(), Tenancy.of(uuid4())) as uow:
        with pytest.raises(RuntimeError, match="no across-tenants sessions"):
            async with uow.across_tenants():
                pass


def test_only_the_migrate_command_imports_alembic() -> None:
    """Every API and worker process imports the kit; none of them migrates, so none pays alembic's import."""
    check = "import sys, claimstream_platform.entrypoint, claimstream_platform.kit; assert 'alembic' not in sys.modules"
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
