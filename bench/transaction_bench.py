"""`make bench`: what the platform's smallest units of database work cost, each two ways, in rounds of each in one
run, in the order ABBA, on empty tables after a warming round of each, so the machine's drift between runs (up to a
third on this one) falls on both alike:

- a transaction: a request's smallest write (a tenant told for row-level security, one event staged and written to
  the outbox with the notification that wakes the relay, the commit), with its first and last words sent with its
  BEGIN and its COMMIT (`bundling`, the connections of `engines.create_engine`) and apart, as statements of their own
  (a plain asyncpg connection, with the same pool and settings);
- a relay's pass that publishes one row, as at a request's pace (`OutboxRelay.publish_batch`: its turn, the read,
  Kafka's acknowledgment, the mark, the commit), on the same two kinds of connection;
- a consumer's claim of a batch of events whose handlers name a lock each, the locks taken in the claim's statement
  (`inbox.claim`) or in one of their own after it.

Prints this process's CPU, PostgreSQL's and the wall time per unit, and the raw Kafka and PostgreSQL rates of the same
run; writes bench/results/transaction.json. BENCH_TRANSACTIONS sets the units per round (2,000; a quarter of that
for the relay, whose every pass waits for Kafka).
"""

import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from claimstream_devtools.devstack.stack import LocalStack
from claimstream_platform.context import Tenancy
from claimstream_platform.db import UnitOfWork, platform_metadata
from claimstream_platform.engines import create_engine
from claimstream_platform.locks import hold_names
from claimstream_platform.messaging.inbox import claim
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from claimstream_platform.messaging.outbox import OutboxRelay
from measuring import cpu_seconds, described, on_a_fresh_stack, raw_rates
from platform_bench import sample
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

TRANSACTIONS = int(os.environ.get("BENCH_TRANSACTIONS", "2000"))
ROUNDS = 6  # of each way, alternating
SCHEMA = "bench_transactions"
CLAIMED = 5  # events a consumer's batch claims, each with a lock of its own
RESULTS = Path(__file__).parent / "results" / "transaction.json"
Step = Callable[[], Awaitable[object]]


async def timed(postgresql: dict[str, int], count: int, step: Step) -> dict[str, float]:
    """`step` run `count` times one after another: this process's CPU, PostgreSQL's and the wall time, per step."""
    server, client, started = cpu_seconds(postgresql), time.process_time(), time.perf_counter()
    for _ in range(count):
        await step()
    wall, client = time.perf_counter() - started, time.process_time() - client
    server_spent = cpu_seconds(postgresql)["postgresql"] - server["postgresql"]
    return {
        "client_cpu_ms": client * 1000 / count,
        "postgresql_cpu_ms": server_spent * 1000 / count,
        "wall_ms": wall * 1000 / count,
    }


def a_transaction(engine: AsyncEngine) -> Step:
    """A request's smallest write: one tenant's, one event published, committed."""
    sessions, tenant = async_sessionmaker(engine, expire_on_commit=False), Tenancy.of(uuid4())

    async def step() -> None:
        async with UnitOfWork(sessions, tenant) as uow:
            uow.publish(sample(tenant.tenant_id))  # type: ignore[arg-type]
            await uow.commit()

    return step


def a_relay_pass(engine: AsyncEngine, producer: AIOKafkaProducer, bootstrap: str) -> Step:
    """A relay's pass that publishes one row, as at a request's pace: its turn, the read, Kafka, the mark, commit."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    relay = OutboxRelay(sessionmaker=sessions, bootstrap_servers=bootstrap, source=SCHEMA, batch_size=1)
    return functools.partial(relay.publish_batch, producer)


def a_claim(engine: AsyncEngine, together: bool) -> Step:
    """A consumer's batch of CLAIMED events with a lock each, claimed and locked, committed: the locks in the claim's
    statement (`together`) or in one of their own after it, as before."""
    sessions, tenant = async_sessionmaker(engine, expire_on_commit=False), Tenancy.of(uuid4())

    async def step() -> None:
        ids = [uuid4() for _ in range(CLAIMED)]
        names = [f"bench:{event_id}" for event_id in ids]
        async with UnitOfWork(sessions, tenant) as uow:
            if together:
                await claim(uow.session, SCHEMA, ids, names)
            else:
                await claim(uow.session, SCHEMA, ids)
                await hold_names(uow, names)
            await uow.commit()

    return step


async def measure(stack: LocalStack) -> dict[str, Any]:
    assert stack.postgres is not None
    postgresql = {"postgresql": int((stack.postgres.pgdata / "postmaster.pid").read_text().split()[0])}
    bundled, apart = create_engine(stack.database_url, schema=SCHEMA, connections=2), _apart(stack)
    async with bundled.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    async with bundled.begin() as connection:
        await connection.run_sync(platform_metadata.create_all)
    await ensure_topics(stack.bootstrap_servers, [sample(uuid4()).topic])
    producer = new_producer(stack.bootstrap_servers, client_id="bench-relay")
    await producer.start()
    kinds = {
        "transaction": {"bundled": a_transaction(bundled), "apart": a_transaction(apart)},
        "relay pass": {
            "bundled": a_relay_pass(bundled, producer, stack.bootstrap_servers),
            "apart": a_relay_pass(apart, producer, stack.bootstrap_servers),
        },
        "consumer claim": {"together": a_claim(bundled, True), "apart": a_claim(bundled, False)},
    }
    try:
        results = {kind: await _rounds(bundled, postgresql, kind, ways) for kind, ways in kinds.items()}
    finally:
        await producer.stop()
        await bundled.dispose()
        await apart.dispose()
    return {"raw": await raw_rates(stack), "transactions_per_round": TRANSACTIONS, "kinds": results}


async def _rounds(bundled: AsyncEngine, postgresql: dict[str, int], kind: str, ways: dict[str, Step]) -> dict[str, Any]:
    """Each way warmed, then ROUNDS rounds of each in the order ABBA, each on empty tables (and, for the relay, with
    as many rows committed, untimed, as it has passes to make)."""
    count = TRANSACTIONS // 4 if kind == "relay pass" else TRANSACTIONS  # a pass waits for Kafka's acknowledgment
    rounds: dict[str, list[dict[str, float]]] = {way: [] for way in ways}
    for n in range(ROUNDS + 1):
        for way in list(ways) if n % 2 == 0 else reversed(ways):  # ABBA: neither always goes first
            async with bundled.begin() as connection:
                await connection.execute(text("TRUNCATE outbox, inbox"))
            steps = count if n else count // 10  # the first round warms: connections, statements, caches
            for _ in range(steps if kind == "relay pass" else 0):
                await a_transaction(bundled)()
            figures = await timed(postgresql, steps, ways[way])
            if n:
                rounds[way].append(figures)
    medians = {
        way: {figure: round(statistics.median(r[figure] for r in each), 3) for figure in each[0]}
        for way, each in rounds.items()
    }
    return {"steps_per_round": count, "medians": medians, "rounds": rounds}


def _apart(stack: LocalStack) -> AsyncEngine:
    """`engines.create_engine`'s pool and settings on asyncpg's own connections: the words go as statements."""
    return create_async_engine(
        stack.database_url,
        pool_size=2,
        max_overflow=0,
        pool_timeout=10,
        pool_recycle=600,
        connect_args={"server_settings": {"search_path": SCHEMA}, "timeout": 5, "command_timeout": 30},
    )


def main() -> int:
    results = on_a_fresh_stack(measure)
    raw = results["raw"]
    print(f"\ntransaction benchmark: {TRANSACTIONS:,} units a round, {ROUNDS} rounds each way, alternating")
    print(f"raw references: {described(raw)}")
    print(f"{'':<28}{'client CPU ms':>15}{'PostgreSQL CPU ms':>19}{'wall ms':>10}  (medians, per step)")
    for kind, figures in results["kinds"].items():
        for way, medians in figures["medians"].items():
            print(
                f"{kind + ', ' + way:<28}{medians['client_cpu_ms']:>15}{medians['postgresql_cpu_ms']:>19}"
                f"{medians['wall_ms']:>10}"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results | {"cores": os.cpu_count()}, indent=2))
    print(f"saved {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
