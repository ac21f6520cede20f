"""What the end-to-end bench measures besides its own counts: CPU per process family, latency percentiles."""

import contextlib
import os
import statistics
import time

import psutil
from claimstream_devtools.devstack.services import Supervisor
from claimstream_devtools.devstack.stack import LocalStack


def process_roots(stack: LocalStack, supervisor: Supervisor) -> dict[str, int]:
    """The processes whose CPU each phase is charged: every service process, Kafka, PostgreSQL, this load."""
    roots = {f"{c.spec.name} {c.role}": c.process.pid for c in supervisor.children if c.process is not None}
    if stack.broker is not None and stack.broker.process is not None:
        roots["kafka"] = stack.broker.process.pid
    if stack.postgres is not None:
        roots["postgresql"] = int((stack.postgres.pgdata / "postmaster.pid").read_text().split()[0])
    roots["load generator"] = os.getpid()
    return roots


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """User and system CPU of each root process and all its descendants (PostgreSQL's backends, uvicorn's)."""
    spent = {}
    for name, pid in roots.items():
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
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
    from claimstream_platform.engines import create_engine
    from sqlalchemy import text

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
