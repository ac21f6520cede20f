"""The retention pass against real PostgreSQL: on a service's migrated schema, run as the worker runs it (its
across-tenants role, under row-level security), it deletes published outbox rows, inbox rows and expired
idempotency keys past their age, a bounded batch per statement, and keeps everything else."""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from claimstream_devtools.schemas_under_test import migrated_schema, schema_roles
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform import retention, telemetry
from claimstream_platform.context import ACROSS_TENANTS, acting_as
from claimstream_platform.engines import create_engine
from claimstream_platform.kit import Service, declared, discover
from claimstream_platform.retention import Pruning, RetentionPolicy, prune
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

ROOT = Path(__file__).resolve().parents[3]
A, B = uuid4(), uuid4()
POLICY = RetentionPolicy(
    outbox=timedelta(days=7), inbox=timedelta(days=60), idempotency_grace=timedelta(hours=1), batch_size=5000
)


def walled_service() -> Service[Any]:
    service = declared("eligibility")
    assert service is not None
    return service


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    service = walled_service()
    async with migrated_schema(stack, "keep", service.migrations, own_roles=True, package=service.package) as name:
        yield name


@pytest.fixture
async def admin(stack: StackUnderTest, schema: str) -> AsyncIterator[AsyncEngine]:
    """The superuser: seeds rows of any age and any tenant, and counts what is left past the wall."""
    engine = create_engine(stack.database_url, schema=schema, connections=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def app(schema: str) -> AsyncIterator[AsyncEngine]:
    """What the worker's pass connects as: the service's across-tenants role (`kit.Runtime.across_tenants`)."""
    roles = schema_roles(schema)
    assert roles is not None
    engine = create_engine(roles.across_url, schema=schema, connections=2)
    yield engine
    await engine.dispose()


async def a_pass(app: AsyncEngine, policy: RetentionPolicy = POLICY) -> dict[str, int]:
    with acting_as(ACROSS_TENANTS):  # as `loops.PeriodicLoop.run` runs every pass
        return await prune(async_sessionmaker(app), policy)


async def seed(admin: AsyncEngine, sql: str, rows: list[dict[str, Any]]) -> None:
    async with admin.begin() as connection:
        await connection.execute(text(sql), rows)


async def outbox_row(admin: AsyncEngine, *, age: str, sent: str | None, quarantined: bool = False) -> UUID:
    """An outbox row created `age` ago, sent `sent` ago (None: not sent), quarantined or not."""
    event_id = uuid4()
    await seed(
        admin,
        "INSERT INTO outbox (event_id, topic, key, event_type, subject, tenant_id, correlation_id, payload,"
        " created_at, sent_at, quarantined_at, quarantine_reason) VALUES (:e, 't.v1', 'k', 'x.v1', 's', :tenant,"
        " :e, '\\x00', now() - CAST(CAST(:age AS text) AS interval), now() - CAST(CAST(:sent AS text) AS interval),"
        " CASE WHEN :quarantined THEN now() END, CASE WHEN :quarantined THEN 'RecordTooLargeError' END)",
        [{"e": event_id, "tenant": A, "age": age, "sent": sent, "quarantined": quarantined}],
    )
    return event_id


async def remaining(admin: AsyncEngine, sql: str) -> set[Any]:
    async with admin.connect() as connection:
        return set((await connection.execute(text(sql))).scalars())


async def test_published_outbox_rows_past_their_age_are_pruned_and_no_unpublished_one(
    admin: AsyncEngine, app: AsyncEngine
) -> None:
    old_sent = [await outbox_row(admin, age="9 days", sent="8 days") for _ in range(3)]
    kept = {
        await outbox_row(admin, age="2 days", sent="1 day"),  # published, but recently
        await outbox_row(admin, age="30 days", sent=None),  # pending for a month: the relay still owes it
        await outbox_row(admin, age="30 days", sent=None, quarantined=True),  # waits for an operator
        await outbox_row(admin, age="30 days", sent="29 days", quarantined=True),  # marked: an operator's, kept
    }

    pruned = await a_pass(app)

    assert pruned["outbox"] == len(old_sent)
    assert await remaining(admin, "SELECT event_id FROM outbox") == kept


async def test_inbox_rows_past_their_age_are_pruned_and_recent_ones_kept(admin: AsyncEngine, app: AsyncEngine) -> None:
    old, recent = [uuid4() for _ in range(4)], [uuid4() for _ in range(2)]
    rows = [{"e": e, "age": "61 days"} for e in old] + [{"e": e, "age": "59 days"} for e in recent]
    await seed(
        admin,
        "INSERT INTO inbox (consumer, event_id, processed_at)"
        " VALUES ('c', :e, now() - CAST(CAST(:age AS text) AS interval))",
        rows,
    )

    pruned = await a_pass(app)

    assert pruned["inbox"] == len(old)
    assert await remaining(admin, "SELECT event_id FROM inbox") == set(recent)


async def idempotency_key(admin: AsyncEngine, tenant: UUID, key: str, *, expires_in: str) -> None:
    await seed(
        admin,
        "INSERT INTO idempotency_keys (tenant_id, principal, route, key, request_hash, status_code, response,"
        " expires_at) VALUES (:t, 'p', 'POST /v1/x', :k, 'h', 201, '{}',"
        " now() + CAST(CAST(:expires AS text) AS interval))",
        [{"t": tenant, "k": key, "expires": expires_in}],
    )


async def test_expired_idempotency_keys_of_every_tenant_are_pruned_past_the_grace_and_live_ones_kept(
    admin: AsyncEngine, app: AsyncEngine
) -> None:
    for tenant in (A, B):  # the keys are walled: the pass sees both tenants only because it runs across tenants
        await idempotency_key(admin, tenant, f"expired-{tenant}", expires_in="-2 hours")
        await idempotency_key(admin, tenant, f"in-grace-{tenant}", expires_in="-30 minutes")
        await idempotency_key(admin, tenant, f"live-{tenant}", expires_in="20 hours")

    pruned = await a_pass(app)

    assert pruned["idempotency_keys"] == 2
    assert await remaining(admin, "SELECT key FROM idempotency_keys") == {
        f"{kind}-{tenant}" for kind in ("in-grace", "live") for tenant in (A, B)
    }


async def test_a_pass_deletes_more_rows_than_one_batch_in_several_bounded_statements(
    admin: AsyncEngine, app: AsyncEngine
) -> None:
    for _ in range(12):
        await outbox_row(admin, age="9 days", sent="8 days")
    await seed(
        admin,
        "INSERT INTO inbox (consumer, event_id, processed_at) VALUES ('c', :e, now() - interval '90 days')",
        [{"e": uuid4()} for _ in range(12)],
    )
    deletes: list[tuple[str, int]] = []

    def seen(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("DELETE FROM"):
            deletes.append((statement.split()[2], cursor.rowcount))

    event.listen(app.sync_engine, "after_cursor_execute", seen)
    pruned = await a_pass(app, replace(POLICY, batch_size=5))

    assert pruned["outbox"] == pruned["inbox"] == 12
    for table in ("outbox", "inbox"):
        assert [count for name, count in deletes if name == table] == [5, 5, 2], table
    assert await remaining(admin, "SELECT count(*) FROM outbox") == {0}


@dataclass
class Counted:
    added: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def add(self, count: int, labels: dict[str, str]) -> None:
        self.added.append((count, labels))


async def test_the_worker_runs_the_pass_as_a_loop_with_a_heartbeat_a_metric_and_a_log_line(
    admin: AsyncEngine, app: AsyncEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await outbox_row(admin, age="9 days", sent="8 days")
    counter = Counted()
    monkeypatch.setattr(telemetry, "ROWS_PRUNED", counter)
    loop = Pruning(async_sessionmaker(app), service="eligibility", policy=POLICY, interval=60)
    caplog.set_level(logging.INFO, logger=retention.__name__)
    running = asyncio.create_task(loop.run())  # not in a tenancy of its own: the loop says it crosses tenants
    try:
        for _ in range(200):
            if await remaining(
                admin, "SELECT loop FROM heartbeats WHERE last_pass_at IS NOT NULL AND last_error IS NULL"
            ):
                break
            await asyncio.sleep(0.05)
    finally:
        loop.stop()
        await asyncio.wait_for(running, 10)

    assert await remaining(admin, "SELECT loop FROM heartbeats") == {"eligibility.retention"}
    assert await remaining(admin, "SELECT count(*) FROM outbox") == {0}
    assert (1, {"service": "eligibility", "table": "outbox"}) in counter.added
    assert {labels["table"] for _, labels in counter.added} == {"outbox", "inbox", "idempotency_keys"}
    [line] = [record for record in caplog.records if record.getMessage() == "retention pass"]
    assert line.levelno == logging.INFO
    assert line.pruned == {"outbox": 1, "inbox": 0, "idempotency_keys": 0}  # type: ignore[attr-defined]


async def test_a_table_kept_forever_is_not_pruned(admin: AsyncEngine, app: AsyncEngine) -> None:
    kept = await outbox_row(admin, age="400 days", sent="399 days")

    pruned = await a_pass(app, replace(POLICY, outbox=None))

    assert "outbox" not in pruned
    assert await remaining(admin, "SELECT event_id FROM outbox") == {kept}


_INDEXES = text("""
    SELECT indexname, regexp_replace(indexdef, ' ON [^ ]+\\.', ' ON ') FROM pg_indexes
    WHERE schemaname = current_schema() AND indexname IN
        ('ix_outbox_sent_at', 'ix_inbox_processed_at', 'ix_idempotency_keys_expires_at')
""")


@pytest.mark.parametrize("service", discover(ROOT / "services"), ids=lambda service: service.package)
async def test_every_service_schema_has_the_indexes_a_pass_reads_as_a_new_schema_does(
    stack: StackUnderTest, service: Service[Any]
) -> None:
    """Migrated (the tree's retention migration) or made anew (`db`'s tables, as a first migration makes them)."""
    async with migrated_schema(stack, "idx", service.migrations) as name:
        engine = create_engine(stack.database_url, schema=name, connections=2)
        try:
            async with engine.connect() as connection:
                migrated = dict((await connection.execute(_INDEXES)).all())
        finally:
            await engine.dispose()
    assert migrated == await _indexes_of_a_new_schema(stack)


async def _indexes_of_a_new_schema(stack: StackUnderTest) -> dict[str, str]:
    from claimstream_platform.migrate import create_platform_tables

    name = f"new_{uuid4().hex[:12]}"
    engine = create_engine(stack.database_url, schema=name, connections=2)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{name}"'))
            await connection.execute(text(f'SET search_path TO "{name}"'))
            await connection.run_sync(create_platform_tables)
            indexes = dict((await connection.execute(_INDEXES)).all())
            await connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        return indexes
    finally:
        await engine.dispose()
