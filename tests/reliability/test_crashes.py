"""Scenarios 1 and 2 of docs/reliability.md: a worker killed with SIGKILL inside the window under test, again and
again while a seeded run's events are in flight, and the oracle finds the cycle whole afterwards.

The kill comes from the fault-injection seam (`claimstream_platform.faults`): on the N-th pass of the point after it
was armed (N drawn from a fixed seed), so it always lands inside the window (the broker acknowledged a batch whose
rows are not marked sent; a batch committed whose offset is not; a batch applied whose transaction is not
committed), never while the process idles."""

import asyncio
import random
import time

from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform import faults as seam
from injection import Faults
from oracle import seeded_run, settle
from streams import copies_on_topics, outbox_events, unpublished_for
from topics import metric

DUPLICATES = "claimstream_events_duplicates_total"

KILL_WAIT = 180.0  # seconds a kill may take to come: the point is passed only when there is work, by a started process
RATE = 1.0  # encounters per second and tenant, posted until every kill has come


Kill = tuple[str, str, int]  # service, point, on the N-th pass


async def kill_in_turn(faults: Faults, kills: list[Kill]) -> list[str]:
    """Each service's kills one after another (armed, fired, started again), the services side by side; returns
    the kills that never came."""

    async def one_service(service: str) -> list[str]:
        missed = []
        for point, n in [(point, n) for name, point, n in kills if name == service]:
            faults.arm(service, point, f"kill {n}")
            started = time.monotonic()
            if not await faults.revive_when_killed(service, point, within=KILL_WAIT):
                missed.append(f"{service} {point} kill {n}")
            print(f"{service} {point} kill {n}: {time.monotonic() - started:.1f} s", flush=True)
        return missed

    results = await asyncio.gather(*(one_service(service) for service in sorted({kill[0] for kill in kills})))
    return [missed for found in results for missed in found]


def kill_plan(seed: int, services: list[str], points: list[str]) -> list[Kill]:
    """One kill of every service at every point, each on the N-th pass of its point, N from 1 to 3."""
    rng = random.Random(seed)
    return [(service, point, rng.randint(1, 3)) for service in services for point in points]


async def test_scenario_1_relays_killed_after_the_broker_acked(
    services: Services, keys: Keys, stack: StackUnderTest, faults: Faults
) -> None:
    relays = ["charge-capture", "claim-submission", "remittance-posting", "eligibility"]
    skipped_before = await metric(services, "projection", DUPLICATES)  # a group that reads every topic, never killed
    done = asyncio.Event()
    run = asyncio.create_task(seeded_run(services, keys, seed=100, rate=RATE, until=done))
    missed = await kill_in_turn(faults, kill_plan(1, relays, [seam.OUTBOX_ACKED]))
    done.set()
    workload = await run
    assert missed == [], "every kill came inside its window"
    assert await settle(services, keys, stack.database_url, workload) == []
    # Every outbox event reached its topic, the killed batches more than once; nothing is left behind.
    schemas = tuple(service.replace("-", "_") for service in relays)
    events = await outbox_events(stack.database_url, schemas, workload.tenants)
    copies = await copies_on_topics(stack.bootstrap_servers, set(events.values()))
    assert [event for event in events if copies[event] == 0] == []
    again = sum(copies[event] - 1 for event in events if copies[event] > 1)
    assert again > 0, "the killed batches were published again"
    assert await unpublished_for(stack.database_url, schemas, 30) == 0
    # ... and every copy was skipped by the inbox, not applied again and absorbed by luck (the handlers' own
    # upserts would hide a second application from the oracle: issue 28's mutant of the inbox showed it)
    assert await metric(services, "projection", DUPLICATES) - skipped_before >= again


async def test_scenario_2_consumers_killed_mid_batch(
    services: Services, keys: Keys, stack: StackUnderTest, faults: Faults
) -> None:
    consumers = ["claim-submission", "remittance-posting", "projection", "denial-management"]
    done = asyncio.Event()
    run = asyncio.create_task(seeded_run(services, keys, seed=200, rate=RATE, until=done))
    # between the database commit and the offset commit, then before the database commit
    missed = await kill_in_turn(faults, kill_plan(2, consumers, [seam.CONSUMER_APPLIED, seam.CONSUMER_BEFORE_COMMIT]))
    done.set()
    workload = await run
    assert missed == [], "every kill came inside its window"
    assert await settle(services, keys, stack.database_url, workload) == []
