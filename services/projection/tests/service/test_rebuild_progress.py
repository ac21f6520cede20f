"""A rebuild records its run in the live schema's `rebuilds` as it goes, and installation operators read the latest
runs with their progress (`GET /v1/rebuilds`); a tenant's people cannot. A run that refuses or fails says so; one
whose row has gone silent is stalled. The table is written by the owner alone: the app role only reads it."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from claimstream_devtools.schemas_under_test import schema_roles
from claimstream_devtools.testing import Keys, StackUnderTest, service_settings
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.reading import topic_reader
from projection import runs
from projection.consumers import SUBSCRIPTIONS
from projection.rebuild import rebuild
from projection.rebuild_progress import recorded
from projection.service import SERVICE
from projection.settings import ProjectionSettings
from projection_testkit import TENANT
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


def settings_of(stack: StackUnderTest, schema: str, keys: Keys) -> ProjectionSettings:
    """As an installation runs the rebuild: the owner, the across-tenants role and the app role of the schema."""
    found: ProjectionSettings = service_settings(SERVICE, stack, schema, keys.public_key_file)
    return found


async def rebuilds(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/v1/rebuilds", headers={"Authorization": f"Bearer {token}"})


async def latest(client: httpx.AsyncClient, keys: Keys) -> dict[str, Any]:
    answer = await rebuilds(client, keys.issuer.issue_operator(subject="operator:ana"))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["items"][0]
    return found


async def records_in_topics(stack: StackUnderTest) -> int:
    """What a replay reads now: every record of the projection's topics."""
    topics = {event.topic for event in SUBSCRIPTIONS}
    async with topic_reader(stack.bootstrap_servers) as reader:
        begin, ends = await reader.bounds(await reader.partitions(lambda topic: topic in topics))
    return sum(ends[tp] - begin[tp] for tp in ends)


async def test_a_rebuild_leaves_a_finished_run_that_an_operator_reads_and_a_tenant_cannot(
    client: httpx.AsyncClient, stack: StackUnderTest, schema: str, keys: Keys
) -> None:
    there = await records_in_topics(stack)

    await rebuild(settings_of(stack, schema, keys), show=False)

    run = await latest(client, keys)
    assert (run["phase"], run["running"], run["stalled"]) == (runs.FINISHED, False, False)
    assert run["records_done"] == run["records_total"] >= there
    assert run["fraction"] == 1.0 and run["finished_at"] is not None
    assert run["outcome"].startswith(f"{run['records_done']:,} records read")
    for roles in (["tenant-admin"], ["biller"], ["auditor"]):
        refused = await rebuilds(client, keys.issuer.issue(tenant_id=TENANT, roles=roles))
        assert refused.status_code == 403, roles


async def test_a_run_that_refuses_or_fails_says_so_in_counts_and_types_only(
    client: httpx.AsyncClient, stack: StackUnderTest, schema: str, keys: Keys
) -> None:
    reason = "the topics no longer hold every event (claim-submission.v1[0] begin past offset 0): nothing rebuilt"
    with pytest.raises(SystemExit):
        async with recorded(settings_of(stack, schema, keys)):
            raise SystemExit(reason)
    refused = await latest(client, keys)
    assert (refused["phase"], refused["outcome"]) == (runs.REFUSED, reason)

    with pytest.raises(ValueError):
        async with recorded(settings_of(stack, schema, keys)) as run:
            run.reading(10)
            run.advance(4)
            await run.enter(runs.FOLDING)
            raise ValueError("a claim's key, say")
    failed = await latest(client, keys)
    assert (failed["phase"], failed["outcome"], failed["fraction"]) == (runs.FAILED, "ValueError", 0.4)


async def test_a_running_row_silent_for_minutes_is_stalled_and_only_the_owner_writes_the_table(
    client: httpx.AsyncClient, stack: StackUnderTest, schema: str, keys: Keys
) -> None:
    owner = create_engine(settings_of(stack, schema, keys).migration_url, schema=schema, connections=2)
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    try:
        async with owner.begin() as connection:  # a rebuild killed while it read: it wrote nothing since
            await connection.execute(
                text(
                    "INSERT INTO rebuilds (id, started_at, phase, records_total, records_done, updated_at)"
                    " VALUES (:id, :at, 'reading', 100, 40, :at)"
                ),
                {"id": uuid4(), "at": long_ago},
            )
    finally:
        await owner.dispose()
    run = await latest(client, keys)
    assert (run["phase"], run["running"], run["stalled"], run["fraction"]) == (runs.READING, True, True, 0.4)

    roles = schema_roles(schema)
    assert roles is not None
    app = create_engine(roles.app_url, schema=schema, connections=2)
    try:
        with pytest.raises(DBAPIError, match="permission denied"):
            async with app.begin() as connection:
                await connection.execute(text("UPDATE rebuilds SET phase = 'finished'"))
    finally:
        await app.dispose()
