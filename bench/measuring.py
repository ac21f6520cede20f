"""What the benches measure besides their own counts: CPU per process family, latency percentiles, and the raw
references of the machine (what its Kafka and PostgreSQL do with no claimstream code in the way, and how fast it runs
pyx12, Python that is CPU-bound as ours is)."""

import asyncio
import contextlib
import io
import json
import logging
import os
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from uuid import uuid4

import psutil
import pyx12.params
import pyx12.x12n_document
from claimstream_devtools.devstack.services import Supervisor
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from era_sample import generated_835
from sqlalchemy import text

LOAD = "load generator"  # the bench process itself
# The services' ports under a bench (APIs at 26000 and up, their metrics at 27000): below Linux's ephemeral ports
# (32768 and up), one of which a client socket may hold when a service starts to listen on it (seen: a worker lost).
BENCH_PORT_OFFSET = 18000
T = TypeVar("T")


def on_a_fresh_stack(measure: Callable[[LocalStack], Coroutine[Any, Any, T]]) -> T:
    """What `measure` finds on the bench profile's Kafka and PostgreSQL, started empty and stopped after."""
    stack = LocalStack(PROFILES["bench"])
    stack.start(fresh=True)
    try:
        return asyncio.run(measure(stack))
    finally:
        stack.stop()


def process_roots(stack: LocalStack, supervisor: Supervisor) -> dict[str, int]:
    """The processes whose CPU each phase is charged: every service process, Kafka, PostgreSQL, this load."""
    roots = {f"{c.spec.name} {c.role}": c.process.pid for c in supervisor.children if c.process is not None}
    if stack.broker is not None and stack.broker.process is not None:
        roots["kafka"] = stack.broker.process.pid
    if stack.postgres is not None:
        roots["postgresql"] = int((stack.postgres.pgdata / "postmaster.pid").read_text().split()[0])
    roots[LOAD] = os.getpid()
    return roots


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """User and system CPU of each root process and all its descendants (PostgreSQL's backends, uvicorn's); the
    load generator's alone: the services, Kafka and PostgreSQL it started are its children, counted under their
    own names (an earlier version charged them to the load generator as well)."""
    spent = {}
    for name, pid in roots.items():
        try:
            root = psutil.Process(pid)
            family = [root] if name == LOAD else [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        total = 0.0
        for process in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        spent[name] = total
    return spent


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {
        "p50_s": at(0.5),
        "p95_s": at(0.95),
        "p99_s": at(0.99),
        "max_s": round(ordered[-1], 2),
        "mean_s": round(statistics.fmean(ordered), 2),
    }


async def commit_latency_ms(database_url: str, commits: int = 200) -> float:
    """Milliseconds per one-row transaction, one after another: what every single-request write waits for (the
    disk's flush). It differs between machines more than the insert rate does, and bounds single POSTs."""
    engine = create_engine(database_url, schema="public", connections=2)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS bench_commit_probe (n int)"))
    started = time.perf_counter()
    for n in range(commits):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO bench_commit_probe VALUES (:n)"), {"n": n})
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return round(elapsed / commits * 1000, 2)


async def raw_rates(stack: LocalStack) -> dict[str, float]:
    """What the same broker and database do with no claimstream code in the way."""
    await ensure_topics(stack.bootstrap_servers, ["bench-e2e-raw.v1"])
    producer = new_producer(stack.bootstrap_servers, client_id="bench-raw")
    await producer.start()
    started = time.perf_counter()
    futures = [await producer.send("bench-e2e-raw.v1", b"x" * 1500, key=str(i).encode()) for i in range(20000)]
    await asyncio.gather(*futures)
    kafka = 20000 / (time.perf_counter() - started)
    await producer.stop()
    engine = create_engine(stack.database_url, schema="public", connections=2)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw (id uuid, body jsonb)"))
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO bench_raw VALUES (:id, CAST(:body AS jsonb))"),
            [{"id": uuid4(), "body": json.dumps({"n": n, "pad": "x" * 1000})} for n in range(20000)],
        )
    postgres = 20000 / (time.perf_counter() - started)
    await engine.dispose()
    return {
        "kafka_produce_per_s": round(kafka),
        "postgres_insert_per_s": round(postgres),
        "postgres_commit_ms": await commit_latency_ms(stack.database_url),
        "pyx12_claims_per_s": pyx12_claims_per_s(),
    }


def pyx12_claims_per_s(claims: int = 1000) -> int:
    """pyx12 validating generated 835s, claims per second, in this process. Our CPU per request or per encounter
    follows the machine's speed at running Python, which this shows and Kafka's and PostgreSQL's rates do not: two
    machines' figures compare through it. pyx12 reads its maps again at every document, so the rate is the
    difference between a document of `claims` and one of 3 × `claims`: what a claim costs, as in a large 835."""
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    small, large = _pyx12_seconds(generated_835(claims)), _pyx12_seconds(generated_835(3 * claims))
    return round(2 * claims / max(large - small, 1e-6))


def _pyx12_seconds(content: str) -> float:
    started = time.perf_counter()
    pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(content), io.StringIO(), None)
    return time.perf_counter() - started


def described(raw: dict[str, Any]) -> str:
    """The raw references as every bench prints them."""
    return (
        f"Kafka produce {raw['kafka_produce_per_s']:,}/s, PostgreSQL insert {raw['postgres_insert_per_s']:,}/s, "
        f"a one-row commit {raw['postgres_commit_ms']} ms, pyx12 {raw['pyx12_claims_per_s']:,} claims/s"
    )
