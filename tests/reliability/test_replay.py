"""Scenario 8 of docs/reliability.md: the projection replayed from offset 0. `python -m projection rebuild` folds
every topic from its beginning into scratch tables and swaps them in (blue/green). Every tenant's rows and money
checksum are as before the replay, the old model answers throughout, and the replay's rate is printed."""

import asyncio
import time
from decimal import Decimal
from uuid import UUID

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from effects import connect, money_check, money_of, snapshot, steady
from oracle import Workload
from projection.rebuild import rebuild
from projection.settings import ProjectionSettings
from topics import drained

# The read model the replay builds again (facts are the history itself; the rest is folded from them).
READ_MODEL = ("projection.facts", "projection.claims", "projection.ledger", "projection.denial_cases")


async def test_scenario_8_the_projection_replayed_from_offset_0_is_the_model_it_replaced(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    tenants = settled_run.tenants
    assert await drained(stack.bootstrap_servers) == []
    before = {name: rows for name, rows in (await steady(stack.database_url, tenants)).items() if name in READ_MODEL}
    money = {tenant: await money_check(services, keys, tenant) for tenant in tenants}
    events = await events_seen(stack)

    serving = asyncio.Event()
    answers = asyncio.create_task(answering(services, keys, tenants[0], money[tenants[0]], serving))
    started = time.monotonic()
    differ = await rebuild(settings(services, stack, keys), show=False)
    took = time.monotonic() - started
    serving.set()
    reads, wrong = await answers

    assert differ == [], "the replay's totals are the live model's"
    after = {name: rows for name, rows in (await snapshot(stack.database_url, tenants)).items() if name in READ_MODEL}
    assert {name: rows[0] for name, rows in after.items()} == {name: rows[0] for name, rows in before.items()}
    assert after["projection.facts"] == before["projection.facts"], "the same history, row for row"
    assert {tenant: await money_check(services, keys, tenant) for tenant in tenants} == money
    assert reads > 0 and wrong == [], "the old model answered, and right, until the swap"
    print(f"\nscenario 8: {events} events replayed in {took:.1f} s ({events / took:.0f} events/s); {reads} reads")


def settings(services: Services, stack: StackUnderTest, keys: Keys) -> ProjectionSettings:
    """The rebuild as an installation runs it: the owner, the across-tenants role and the app role."""
    roles = services.roles["projection"]
    return ProjectionSettings(
        service_name="projection",
        database_url=roles.app_url,
        migration_database_url=roles.owner_url,
        across_tenants_database_url=roles.across_url,
        database_schema="projection",
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=keys.public_key_file,
    )


async def events_seen(stack: StackUnderTest) -> int:
    """Every event the projection has counted, every tenant's: what a replay reads again."""
    connection = await connect(stack.database_url)
    try:
        return int(await connection.fetchval("SELECT coalesce(sum(count), 0) FROM projection.stream_counts"))
    finally:
        await connection.close()


async def answering(
    services: Services, keys: Keys, tenant: UUID, expected: dict[str, Decimal], done: asyncio.Event
) -> tuple[int, list[str]]:
    """The tenant's money checksum read again and again until `done`: how many answers, and any that was not 200
    or not the checksum from before the replay."""
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    reads, wrong = 0, []
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        while not done.is_set():
            response = await projection.get("/v1/ledger/check")
            reads += 1
            if response.status_code != 200:
                wrong.append(f"{response.status_code}: {response.text[:200]}")
            elif (found := money_of(response.json())) != expected:
                wrong.append(f"{found}")
            await asyncio.sleep(0.2)
    return reads, wrong
