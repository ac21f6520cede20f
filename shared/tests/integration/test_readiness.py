"""A process's readiness (readiness.py): the database and the broker answer, and a worker's loops beat. A worker
serves it beside its metrics (metrics.serve), so an orchestrator (Kubernetes' probe, Compose's health check) sees a
worker whose loop stalled, and not one whose loop fails because a partner is down."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from claimstream_devtools.schemas_under_test import migrated_schema, schema_roles
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.kit import declared
from claimstream_platform.metrics import serve
from claimstream_platform.readiness import Readiness
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def engines(stack: StackUnderTest) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """The administrator's (seeds heartbeats of any age) and the app role's (what the worker checks as)."""
    service = declared("eligibility")
    assert service is not None
    async with migrated_schema(stack, "ready", service.migrations, own_roles=True, package=service.package) as schema:
        roles = schema_roles(schema)
        assert roles is not None
        admin = create_engine(stack.database_url, schema=schema, connections=2)
        app = create_engine(roles.app_url, schema=schema, connections=2)
        yield admin, app
        await admin.dispose()
        await app.dispose()


async def beat(
    admin: AsyncEngine, loop: str, *, ago: str, interval: int = 2, error: str | None = None, ended: str | None = None
) -> None:
    """A loop's row: its last good pass `ago`, its last pass of any kind `ended` ago (that one, by default)."""
    async with admin.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO heartbeats (loop, interval_seconds, last_error, last_pass_at, updated_at)"
                " VALUES (:loop, :interval, :error, now() - CAST(CAST(:ago AS text) AS interval),"
                " now() - CAST(CAST(:ended AS text) AS interval))"
            ),
            {"loop": loop, "interval": interval, "error": error, "ago": ago, "ended": ended or ago},
        )


OWN_LOOPS = frozenset({"eligibility.batches", "eligibility.payer", "eligibility.stuck", "eligibility.never"})


async def test_a_worker_is_ready_while_its_loops_end_passes_and_not_once_one_stalls(
    stack: StackUnderTest, engines: tuple[AsyncEngine, AsyncEngine]
) -> None:
    admin, app = engines
    worker = Readiness(stack.bootstrap_servers, app, sessions(app), must_beat=OWN_LOOPS)
    assert (await worker.report())[0] is True  # no loop has run yet
    await beat(admin, "eligibility.batches", ago="1 second")
    # Its partner has been down for 10 minutes: every pass fails, and says so at once.
    await beat(admin, "eligibility.payer", ago="10 minutes", ended="1 second", error="ConnectError")
    await beat(admin, "eligibility.never", ago="0 seconds", ended="1 second", error="ConnectError")
    await admin_sets_never_passed(admin, "eligibility.never")
    await beat(admin, "eligibility.renamed", ago="2 days")  # no loop of this worker writes it any more
    ready, report = await worker.report()
    assert ready and report["checks"] == {"database": True, "kafka": True}, report
    for failing in ("eligibility.payer", "eligibility.never"):
        assert report["loops"][failing]["ok"] is False and report["loops"][failing]["stalled"] is False
    await beat(admin, "eligibility.stuck", ago="10 minutes")  # no pass ended, well or badly, for 10 minutes
    ready, report = await worker.report()
    assert not ready and report["detail"] == "loops eligibility.stuck unavailable"
    api = Readiness(stack.bootstrap_servers, app, sessions(app))  # an API reports the loop, and stays ready
    assert (await api.report())[0] is True


async def admin_sets_never_passed(admin: AsyncEngine, loop: str) -> None:
    async with admin.begin() as connection:
        await connection.execute(text("UPDATE heartbeats SET last_pass_at = NULL WHERE loop = :loop"), {"loop": loop})


async def test_a_worker_is_unready_without_its_broker_or_its_database(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    _, app = engines
    ready, report = await Readiness("127.0.0.1:9", app, sessions(app), must_beat=OWN_LOOPS).report()
    assert not ready and report["checks"] == {"database": True, "kafka": False}
    nowhere = create_engine("postgresql+asyncpg://x_app:not-a-password-1@127.0.0.1:9/x", schema="x", connections=1)
    try:
        ready, report = await Readiness("127.0.0.1:9", nowhere, sessions(nowhere)).report()
    finally:
        await nowhere.dispose()
    assert not ready and report["detail"] == "database, kafka unavailable" and report["loops"] == {}


async def test_the_worker_serves_its_readiness_and_liveness_beside_its_metrics(
    stack: StackUnderTest, engines: tuple[AsyncEngine, AsyncEngine]
) -> None:
    admin, app = engines
    await beat(admin, "eligibility.stuck", ago="10 minutes")
    server = await serve(0, ready=Readiness(stack.bootstrap_servers, app, sessions(app), must_beat=OWN_LOOPS).report)
    port = server.sockets[0].getsockname()[1]
    try:
        answers = {path: await get(port, path) for path in ("/healthz", "/readyz", "/metrics")}
    finally:
        server.close()
        await server.wait_closed()
    assert answers["/healthz"][0] == 200 and answers["/metrics"][0] == 200
    status, body = answers["/readyz"]
    assert status == 503 and json.loads(body)["loops"]["eligibility.stuck"]["stalled"] is True


async def get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body
