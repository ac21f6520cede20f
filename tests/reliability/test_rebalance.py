"""Scenario 9 of docs/reliability.md: a rebalance storm. Claim submission's workers go from 1 to 6 and back to 2
while a seeded run flows, as an autoscaler on consumer lag would scale them. Every partition is consumed to its end,
no effect is doubled (the oracle), and claims keep coming: no gap between two of them reaches 10 seconds."""

import asyncio
import sys
import time
from datetime import datetime

import asyncpg
import httpx
from claimstream_devtools.devstack.processes import terminate
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform import faults as seam
from injection import Faults
from oracle import Workload, new_workload, posted_at_least, seeded_run, settle

SERVICE = "claim-submission"
RATE = 2.0  # encounters per second and tenant
HELD = 1.0  # seconds each batch waits between its commit and its offset's during the storm


def _posted(workload: Workload) -> int:
    return sum(len(posted) for posted in workload.posted.values())


async def scale(services: Services, workers: int) -> None:
    """Run `workers` workers of the service: start more beside the supervised one, or stop the extra ones."""
    supervisor = services.supervisor
    mine = [c for c in supervisor.children if c.spec.name == SERVICE and c.role.startswith("worker")]
    spec = mine[0].spec
    for n in range(len(mine), workers):
        supervisor.also_run(spec, f"worker-{n + 1}", [sys.executable, "-m", spec.package, "worker"])
    for extra in [c for c in mine if c.role != "worker"][: max(len(mine) - workers, 0)]:
        assert extra.process is not None
        await asyncio.to_thread(terminate, extra.process, timeout=20)
        supervisor.children.remove(extra)


async def claim_times(database_url: str, workload: Workload) -> list[datetime]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        query = "SELECT created_at FROM claim_submission.claims WHERE tenant_id = ANY($1) ORDER BY created_at"
        return [row["created_at"] for row in await connection.fetch(query, workload.tenants)]
    finally:
        await connection.close()


async def lags(services: Services, keys: Keys, groups: str = SERVICE) -> dict[tuple[str, str, int], int]:
    """The lag per topic and partition of every consumer group whose name starts with `groups` (claim submission's
    by default), from the projection's stream health."""
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:reliability')}"}
    async with httpx.AsyncClient(base_url=services.projection, headers=operator, timeout=30) as projection:
        health = (await projection.get("/v1/stream/health")).json()
    return {
        (lag["group"], lag["topic"], lag["partition"]): lag["lag"]
        for lag in health["consumer_lag"]
        if lag["group"].startswith(groups)
    }


async def consumed_to_the_end(services: Services, keys: Keys, within: float = 30) -> dict[tuple[str, str, int], int]:
    """Claim submission's lags once each is 0 (bounded: the last read): the payers' cycles still send it events
    after the run has settled, a record or two behind for a moment."""
    deadline = time.monotonic() + within
    while set((lagging := await lags(services, keys)).values()) - {0} and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    return lagging


async def test_scenario_9_a_rebalance_storm_from_1_to_6_to_2_workers(
    services: Services, keys: Keys, stack: StackUnderTest, faults: Faults
) -> None:
    workload, done = new_workload(), asyncio.Event()
    run = asyncio.create_task(seeded_run(services, keys, seed=900, rate=RATE, until=done, workload=workload))
    await posted_at_least(workload, 10)
    stormed_from = (await claim_times(stack.database_url, workload) or [None])[-1]
    # Each batch held a second after its commit, before its offset's: partitions move with records unread and
    # with batches applied but not acknowledged, which a new owner must read, and read once.
    faults.arm(SERVICE, seam.CONSUMER_APPLIED, f"delay {HELD}")
    for workers in (6, 2):
        await scale(services, workers)
        await posted_at_least(workload, _posted(workload) + 12)  # the group rebalances while encounters arrive
    faults.disarm_all()
    done.set()
    await run
    try:
        assert await settle(services, keys, stack.database_url, workload) == []
        times = [
            t for t in await claim_times(stack.database_url, workload) if stormed_from is None or t >= stormed_from
        ]
        gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
        print(f"scenario 9: {len(times)} claims during and after the storm, the longest gap {max(gaps):.1f} s")
        assert max(gaps) < 10
        lagging = await consumed_to_the_end(services, keys)
        assert lagging and set(lagging.values()) == {0}, lagging  # every partition consumed to its end
    finally:
        await scale(services, 1)
