"""Scenarios 3 and 4 of docs/reliability.md: the broker killed (SIGKILL) and started again, PostgreSQL restarted
(`pg_ctl restart -m fast`) and its postmaster killed, each while a seeded run's work is in flight. Afterwards the
oracle finds the cycle whole, every outbox event of the run is on its topic, and the backlog has drained.

The broker stays down longer than the producer's delivery timeout (`messaging/kafka.py`), so the outbox relays
see their sends fail, not merely retried inside the client: a relay that took an unavailable broker for a refusal
would quarantine the rows written meanwhile, and the run would be short of them."""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from oracle import new_workload, posted_at_least, seeded_run, settle
from streams import SCHEMAS, copies_on_topics, outbox_events, quarantined_of, unpublished_for

RATE = 2.0  # encounters per second and tenant while the fault is under way
BROKER_DOWN = 20.0  # seconds: longer than the producer's 15 s delivery timeout


@dataclass
class Probe:
    """Asks one URL again and again while a fault is under way: each answer's status (0: no answer at all), the
    slowest answer, and whether the 503s said when to come back."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    slowest: float = 0.0
    without_retry_after: int = 0
    last_refusal: float = 0.0  # when the last answer other than 200 came (monotonic)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(headers=self.headers, timeout=20) as client:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    response = await client.get(self.url)
                    status = response.status_code
                    self.without_retry_after += status == 503 and "retry-after" not in response.headers
                except httpx.TransportError:
                    status = 0
                self.statuses[status] += 1
                self.slowest = max(self.slowest, time.monotonic() - started)
                if status != 200:
                    self.last_refusal = time.monotonic()
                await asyncio.sleep(0.1)


async def every_event_published(stack: StackUnderTest, tenants: list[UUID]) -> list[str]:
    """The run's outbox events that are not on their topics."""
    events = await outbox_events(stack.database_url, SCHEMAS, tenants)
    copies = await copies_on_topics(stack.bootstrap_servers, set(events.values()))
    return [event for event in events if copies[event] == 0]


async def drained_within(stack: StackUnderTest, seconds: float) -> float:
    """Seconds until no outbox row has waited more than five seconds to be published (bounded by `seconds`)."""
    started = time.monotonic()
    while await unpublished_for(stack.database_url, SCHEMAS, 5):
        if time.monotonic() - started > seconds:
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def test_scenario_3_the_broker_killed_mid_stream(services: Services, keys: Keys, stack: StackUnderTest) -> None:
    workload, done = new_workload(), asyncio.Event()
    run = asyncio.create_task(seeded_run(services, keys, seed=300, rate=RATE, until=done, workload=workload))
    await posted_at_least(workload, 10)
    await asyncio.to_thread(stack.restart_broker, crash=True, down_for=BROKER_DOWN)
    recovery = await drained_within(stack, 60)
    await posted_at_least(workload, sum(len(p) for p in workload.posted.values()) + 4)  # still flowing after it
    done.set()
    await run
    print(f"scenario 3: outboxes drained {recovery:.1f} s after the broker was back")
    assert recovery < 60
    assert await quarantined_of(stack.database_url, SCHEMAS, workload.tenants) == []
    assert await settle(services, keys, stack.database_url, workload) == []
    assert await every_event_published(stack, workload.tenants) == []
    assert services.exited() == []


async def test_scenario_4_postgres_restarted_and_crashed_under_load(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    workload, done, probing = new_workload(), asyncio.Event(), asyncio.Event()
    run = asyncio.create_task(seeded_run(services, keys, seed=400, rate=RATE, until=done, workload=workload))
    await posted_at_least(workload, 10)
    tenant = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=workload.tenants[0])}"}
    api = Probe(f"{services.charge_capture}/v1/encounters?limit=1", tenant)
    ready = Probe(f"{services.claim_submission}/readyz")
    probes = [asyncio.create_task(probe.run(probing)) for probe in (api, ready)]
    recoveries = []
    for crash in (False, True):
        await asyncio.to_thread(stack.restart_postgres, crash=crash)
        back = time.monotonic()
        while time.monotonic() - max(back, ready.last_refusal) < 1:  # ready, and for a second
            assert time.monotonic() - back < 60, "readiness never came back"
            await asyncio.sleep(0.2)
        recoveries.append(round(max(0.0, ready.last_refusal - back), 1))
    probing.set()
    done.set()
    await asyncio.gather(run, *probes)
    print(f"scenario 4: api {dict(api.statuses)}, readiness {dict(ready.statuses)}, ready again after {recoveries}")
    assert set(api.statuses) <= {200, 503} and api.without_retry_after == 0, api.statuses  # never a 500
    assert api.slowest < 15, "an answer, not a hang"
    assert ready.statuses[503] > 0 and max(recoveries) < 30  # readiness went false, and true again within 30 s
    assert await settle(services, keys, stack.database_url, workload) == []
    assert await drained_within(stack, 30) < 30
    assert services.exited() == []
