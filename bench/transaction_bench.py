"""`make bench`: what a unit of work's transaction costs, with its first and last words sent with its BEGIN and its
COMMIT (`bundling`, the connections of `engines.create_engine`) and sent apart, as statements of their own (a plain
asyncpg connection, with the same pool and settings): rounds of each in one run, in the order ABBA, each on an empty
outbox after a warming round of each, so the machine's drift between runs (up to a third on this one) falls on both
alike.

Each transaction is a request's smallest write: a tenant told for row-level security, one event staged and written
to the outbox with the notification that wakes the relay, and the commit. Prints this process's CPU and
PostgreSQL's per transaction, the wall time per transaction, and the raw Kafka and PostgreSQL rates of the same run;
writes bench/results/transaction.json. BENCH_TRANSACTIONS sets the transactions per round (2,000).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from claimstream_devtools.devstack.stack import LocalStack
from claimstream_platform.context import Tenancy
from claimstream_platform.db import UnitOfWork, platform_metadata
from claimstream_platform.engines import create_engine
from measuring import cpu_seconds, on_a_fresh_stack, raw_rates
from platform_bench import sample
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

TRANSACTIONS = int(os.environ.get("BENCH_TRANSACTIONS", "2000"))
ROUNDS = 6  # of each way, alternating
SCHEMA = "bench_transactions"
RESULTS = Path(__file__).parent / "results" / "transaction.json"


async def round_of(engine: AsyncEngine, postgresql: dict[str, int], transactions: int) -> dict[str, float]:
    """Transactions one after another, each one tenant's, one event published, committed."""
    sessions, tenant = async_sessionmaker(engine, expire_on_commit=False), Tenancy.of(uuid4())
    server, client, started = cpu_seconds(postgresql), time.process_time(), time.perf_counter()
    for _ in range(transactions):
        async with UnitOfWork(sessions, tenant) as uow:
            uow.publish(sample(tenant.tenant_id))  # type: ignore[arg-type]
            await uow.commit()
    wall, client = time.perf_counter() - started, time.process_time() - client
    server_spent = cpu_seconds(postgresql)["postgresql"] - server["postgresql"]
    return {
        "client_cpu_ms": client * 1000 / transactions,
        "postgresql_cpu_ms": server_spent * 1000 / transactions,
        "wall_ms": wall * 1000 / transactions,
    }


async def measure(stack: LocalStack) -> dict[str, Any]:
    assert stack.postgres is not None
    postgresql = {"postgresql": int((stack.postgres.pgdata / "postmaster.pid").read_text().split()[0])}
    engines = {"bundled": create_engine(stack.database_url, schema=SCHEMA, connections=2), "apart": _apart(stack)}
    async with engines["bundled"].begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    async with engines["bundled"].begin() as connection:
        await connection.run_sync(platform_metadata.create_all)
    rounds: dict[str, list[dict[str, float]]] = {way: [] for way in engines}
    try:
        for way in engines:  # warm: connections opened, statements prepared, caches filled
            await round_of(engines[way], postgresql, TRANSACTIONS // 10)
        for n in range(ROUNDS):
            for way in list(engines) if n % 2 == 0 else reversed(engines):  # ABBA: neither always goes first
                async with engines["bundled"].begin() as connection:  # each round on an empty outbox
                    await connection.execute(text("TRUNCATE outbox"))
                rounds[way].append(await round_of(engines[way], postgresql, TRANSACTIONS))
    finally:
        for engine in engines.values():
            await engine.dispose()
    medians = {
        way: {figure: round(statistics.median(r[figure] for r in each), 3) for figure in each[0]}
        for way, each in rounds.items()
    }
    return {"raw": await raw_rates(stack), "transactions_per_round": TRANSACTIONS, "medians": medians, "rounds": rounds}


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
    raw, medians = results["raw"], results["medians"]
    print(f"\ntransaction benchmark: {TRANSACTIONS:,} transactions a round, {ROUNDS} rounds each way, alternating")
    print(
        f"raw references: Kafka produce {raw['kafka_produce_per_s']:,}/s, PostgreSQL insert "
        f"{raw['postgres_insert_per_s']:,}/s, one-row commit {raw['postgres_commit_ms']} ms"
    )
    print(f"{'first and last words':<22}{'client CPU ms':>15}{'PostgreSQL CPU ms':>19}{'wall ms':>10}  (medians)")
    for way, figures in medians.items():
        print(f"{way:<22}{figures['client_cpu_ms']:>15}{figures['postgresql_cpu_ms']:>19}{figures['wall_ms']:>10}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results | {"cores": os.cpu_count()}, indent=2))
    print(f"saved {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
