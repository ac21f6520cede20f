"""`make bench`: the projection. Two figures, each beside raw references measured in the same run:

1. replay: generated visits' events (charge capture, claim submission, remittance posting, denial management) on
   Kafka, replayed from offset 0 through the consumer's own apply into a fresh schema (target: 10,000 events/s),
   beside raw Kafka produce and consume and a raw PostgreSQL insert of as many rows;
2. queries: 1,000,000 claims (and their ledger entries and facts) bulk-loaded with COPY, then the claim list,
   claim detail, aging and KPI routes called through the app (p99 target: 50 ms each).

BENCH_PROJECTION_VISITS and BENCH_PROJECTION_CLAIMS set the sizes. Writes bench/results/projection.json.
"""

import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer
from claimstream_devtools.devstack.stack import LocalStack
from claimstream_devtools.testing import StackUnderTest, register_practices
from claimstream_platform.auth import TokenIssuer, generate_keypair
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from measuring import on_a_fresh_stack, pyx12_claims_per_s
from projection.consumers import SUBSCRIPTIONS
from projection.rebuild import bulk_replay, replay, scratch_schema
from projection.repository import ProjectionWork, swap
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parents[1] / "services" / "projection" / "tests"))
from projection_queries import fresh_schema, query_latencies, settings_for  # noqa: E402  (the second figure)
from projection_testkit import PRACTICE, TENANT, Visit, day  # noqa: E402  (the visits' events, as the service tests build them)

VISITS = int(os.environ.get("BENCH_PROJECTION_VISITS", "4000"))
RESULTS = Path(__file__).parent / "results" / "projection.json"


def visit_events(n: int) -> list[tuple[Any, datetime]]:
    """One visit's events as their producers publish them: every tenth denied and triaged, the rest paid."""
    v = Visit(charge="150")
    events = [
        (v.received(), day(0)),
        (v.captured(), day(0, 13)),
        (v.created(), day(1)),
        (v.submitted(), day(1, 13)),
        (v.accepted(), day(2)),
    ]
    if n % 10 == 0:
        case = uuid4()
        events += [
            (v.posted("0", ("CO", "197", "150"), outcome="denied"), day(20)),
            (v.triaged(case, "authorization", ["CO-197"], "150"), day(20, 13)),
        ]
    else:
        events += [(v.posted("80", ("CO", "45", "40"), ("PR", "2", "30")), day(20))]
    return events


async def publish(stack: LocalStack) -> tuple[int, float]:
    """Every visit's events on their topics; returns the count and the produce rate."""
    events = [item for n in range(VISITS) for item in visit_events(n)]
    await ensure_topics(stack.bootstrap_servers, sorted({e.topic for e, _ in events}))
    producer = new_producer(stack.bootstrap_servers, client_id="bench-projection")
    await producer.start()
    started = time.perf_counter()
    sent = []
    for event, at in events:
        message = encode_event(event, EventMetadata(event_id=uuid4(), source="bench", time=at, correlation_id=uuid4()))
        sent.append(
            await producer.send(
                event.topic, message.value, key=event.partition_key.encode(), headers=list(message.headers.items())
            )
        )
    await asyncio.gather(*sent)
    rate = len(events) / (time.perf_counter() - started)
    await producer.stop()
    return len(events), rate


async def raw_consume(stack: LocalStack, count: int) -> float:
    """Reading the same records with no claimstream code: a group-less consumer from offset 0."""
    topics = sorted({cls.topic for cls in SUBSCRIPTIONS})
    reader = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=stack.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"bench-raw-{uuid4()}",
    )
    await reader.start()
    seen, started = 0, time.perf_counter()
    while seen < count:
        for records in (await reader.getmany(timeout_ms=500, max_records=2000)).values():
            seen += len(records)
    rate = seen / (time.perf_counter() - started)
    await reader.stop()
    return rate


async def raw_insert(stack: LocalStack, count: int) -> float:
    engine = create_engine(stack.database_url, schema="public", connections=2)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw_projection (id uuid, body jsonb)"))
    rows = [{"id": uuid4(), "body": json.dumps({"n": n, "pad": "x" * 200})} for n in range(count)]
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO bench_raw_projection VALUES (:id, CAST(:body AS jsonb))"), rows)
    rate = count / (time.perf_counter() - started)
    await engine.dispose()
    return rate


async def replay_rates(stack: LocalStack, public_key: Path) -> dict[str, Any]:
    """The rebuild's replay (read, fold once per encounter, write in bulk) and the live consumer's incremental
    apply of the same topics from offset 0, each into a fresh schema; the two models must be equal."""
    await scratch_schema(stack.database_url, "bench_projection_bulk")  # as the rebuild makes it
    started = time.perf_counter()
    _, applied = await bulk_replay(
        settings_for(stack, "bench_projection_bulk", public_key), "bench_projection_bulk", show=True
    )
    bulk = time.perf_counter() - started
    await fresh_schema(stack, "bench_projection_live")
    # as the superuser, as the rebuild's replay writes: the two fold rates compare, neither under the wall (the
    # console's reads, `query_latencies`, are read as the app role)
    engine = create_engine(stack.database_url, schema="bench_projection_live", connections=4)
    consumer = Consumer(
        name="projection",
        subscriptions=SUBSCRIPTIONS,
        sessionmaker=swap.sessions(engine),
        unit_of_work=ProjectionWork,
        bootstrap_servers=stack.bootstrap_servers,
        batch_size=2000,
    )
    started = time.perf_counter()
    await replay(consumer, stack.bootstrap_servers, None, batch=2000, show=True)
    live = time.perf_counter() - started
    await engine.dispose()
    admin = create_engine(stack.database_url, schema="public", connections=2)
    built, incremental = (
        await swap.totals(admin, "bench_projection_bulk"),
        await swap.totals(admin, "bench_projection_live"),
    )
    await admin.dispose()
    claims = sum(int(str(row[0])) for row in built.values())
    assert claims == VISITS, (claims, VISITS)
    return {
        "replayed_events": applied,
        "replay_events_per_s": round(applied / bulk),
        "consumer_apply_events_per_s": round(applied / live),
        "claims_built": claims,
        "rebuild_equals_live_path": built == incremental,
    }


async def measure(stack: LocalStack) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp())
    generate_keypair(folder / "signing.pem", folder / "public.pem")
    keys = (TokenIssuer.from_file(folder / "signing.pem"), folder / "public.pem")
    # The visits' practice as its tenant's, as charge capture registers it: a consumer (and a replay) leaves out an
    # event whose practice is not its tenant's, and the bench's events would all be left out.
    await register_practices(StackUnderTest(stack.database_url, stack.bootstrap_servers, None), {TENANT: [PRACTICE]})
    count, produce = await publish(stack)
    results: dict[str, Any] = {"events": count, "kafka_produce_per_s": round(produce)}
    results["kafka_consume_per_s"] = round(await raw_consume(stack, count))
    results.update(await replay_rates(stack, keys[1]))
    results["postgres_insert_per_s"] = round(await raw_insert(stack, count))
    results["queries"] = await query_latencies(stack, keys)
    results["pyx12_claims_per_s"] = pyx12_claims_per_s()
    return results


def report(results: dict[str, Any]) -> None:
    print(f"\nprojection benchmark: {os.cpu_count()} cores")
    print(
        f"  rebuild replay  {results['replay_events_per_s']:>9,} events/s of {results['replayed_events']:,} "
        f"(target 10,000/s); {results['claims_built']:,} claims built"
    )
    print(
        f"  live consumer   {results['consumer_apply_events_per_s']:>9,} events/s from offset 0 (incremental "
        f"folds); same model as the rebuild: {results['rebuild_equals_live_path']}"
    )
    print(
        f"  raw references: Kafka produce {results['kafka_produce_per_s']:,}/s, consume "
        f"{results['kafka_consume_per_s']:,}/s; PostgreSQL insert {results['postgres_insert_per_s']:,} rows/s; pyx12 "
        f"{results['pyx12_claims_per_s']:,} claims/s"
    )
    queries = results["queries"]
    print(
        f"  queries on {queries['claims_loaded']:,} claims (COPY {queries['load_rows_per_s']:,} rows/s), "
        f"p99 target 50 ms:"
    )
    for name in ("claim_list", "claim_detail", "aging", "kpis"):
        q = queries[name]
        print(f"    {name:<13} p50 {q['p50_ms']:>6} ms  p99 {q['p99_ms']:>6} ms  mean {q['mean_ms']:>6} ms")


def main() -> int:
    results = on_a_fresh_stack(measure)
    report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
