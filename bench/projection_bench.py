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
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_devtools.testing import service_client
from claimstream_platform.auth import TokenIssuer, generate_keypair
from claimstream_platform.db import create_engine
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from claimstream_platform.migrate import upgrade
from projection.consumers import SUBSCRIPTIONS
from projection.rebuild import bulk_replay, replay, scratch_schema
from projection.repository import swap
from projection.service import SERVICE
from projection.settings import ProjectionSettings
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parents[1] / "services" / "projection" / "tests"))
from projection_testkit import Visit, day  # noqa: E402  (the visits' events, as the service tests build them)

VISITS = int(os.environ.get("BENCH_PROJECTION_VISITS", "4000"))
CLAIMS = int(os.environ.get("BENCH_PROJECTION_CLAIMS", "1000000"))
PRACTICES = 1000
CALLS = 300
RESULTS = Path(__file__).parent / "results" / "projection.json"


def visit_events(n: int) -> list[tuple[Any, datetime]]:
    """One visit's events as their producers publish them: every tenth denied and triaged, the rest paid."""
    v = Visit(charge="150")
    events = [(v.received(), day(0)), (v.captured(), day(0, 13)), (v.created(), day(1)), (v.submitted(), day(1, 13)),
              (v.accepted(), day(2))]  # fmt: skip
    if n % 10 == 0:
        case = uuid4()
        events += [(v.posted("0", ("CO", "197", "150"), outcome="denied"), day(20)),
                   (v.triaged(case, "authorization", ["CO-197"], "150"), day(20, 13))]  # fmt: skip
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
        sent.append(await producer.send(event.topic, message.value, key=event.partition_key.encode(),
                                        headers=list(message.headers.items())))  # fmt: skip
    await asyncio.gather(*sent)
    rate = len(events) / (time.perf_counter() - started)
    await producer.stop()
    return len(events), rate


async def raw_consume(stack: LocalStack, count: int) -> float:
    """Reading the same records with no claimstream code: a group-less consumer from offset 0."""
    topics = sorted({cls.topic for cls in SUBSCRIPTIONS})
    reader = AIOKafkaConsumer(*topics, bootstrap_servers=stack.bootstrap_servers, auto_offset_reset="earliest",
                              enable_auto_commit=False, group_id=f"bench-raw-{uuid4()}")  # fmt: skip
    await reader.start()
    seen, started = 0, time.perf_counter()
    while seen < count:
        for records in (await reader.getmany(timeout_ms=500, max_records=2000)).values():
            seen += len(records)
    rate = seen / (time.perf_counter() - started)
    await reader.stop()
    return rate


async def raw_insert(stack: LocalStack, count: int) -> float:
    engine = create_engine(stack.database_url, schema="public", pool_size=1)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw_projection (id uuid, body jsonb)"))
    rows = [{"id": uuid4(), "body": json.dumps({"n": n, "pad": "x" * 200})} for n in range(count)]
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO bench_raw_projection VALUES (:id, CAST(:body AS jsonb))"), rows)
    rate = count / (time.perf_counter() - started)
    await engine.dispose()
    return rate


def settings_for(stack: LocalStack, schema: str, public_key: Path) -> ProjectionSettings:
    return ProjectionSettings(service_name="projection", database_url=stack.database_url, database_schema=schema,
                              kafka_bootstrap_servers=stack.bootstrap_servers,
                              auth_public_key_file=public_key)  # fmt: skip


async def fresh_schema(stack: LocalStack, schema: str) -> None:
    admin = create_engine(stack.database_url, schema="public", pool_size=1)
    await swap.drop_schema(admin, schema)
    await admin.dispose()
    await asyncio.to_thread(upgrade, stack.database_url, schema=schema, script_location=SERVICE.migrations)


async def replay_rates(stack: LocalStack, public_key: Path) -> dict[str, Any]:
    """The rebuild's replay (read, fold once per encounter, write in bulk) and the live consumer's incremental
    apply of the same topics from offset 0, each into a fresh schema; the two models must be equal."""
    await scratch_schema(stack.database_url, "bench_projection_bulk")  # as the rebuild makes it
    started = time.perf_counter()
    _, applied = await bulk_replay(settings_for(stack, "bench_projection_bulk", public_key), "bench_projection_bulk",
                                   show=True)  # fmt: skip
    bulk = time.perf_counter() - started
    await fresh_schema(stack, "bench_projection_live")
    engine = create_engine(stack.database_url, schema="bench_projection_live", pool_size=2)
    consumer = Consumer(name="projection", subscriptions=SUBSCRIPTIONS, sessionmaker=swap.sessions(engine),
                        bootstrap_servers=stack.bootstrap_servers, batch_size=2000)  # fmt: skip
    started = time.perf_counter()
    await replay(consumer, stack.bootstrap_servers, None, batch=2000, show=True)
    live = time.perf_counter() - started
    await engine.dispose()
    admin = create_engine(stack.database_url, schema="public", pool_size=1)
    built, incremental = (
        await swap.totals(admin, "bench_projection_bulk"),
        await swap.totals(admin, "bench_projection_live"),
    )
    await admin.dispose()
    claims = sum(int(str(row[0])) for row in built.values())
    assert claims == VISITS, (claims, VISITS)
    return {"replayed_events": applied, "replay_events_per_s": round(applied / bulk),
            "consumer_apply_events_per_s": round(applied / live), "claims_built": claims,
            "rebuild_equals_live_path": built == incremental}  # fmt: skip


def query_rows(n: int, tenant: UUID, practice: UUID) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """One generated claim's row, its ledger entries and one fact: two of three paid, the rest open."""
    claim_id, encounter, payer = uuid4(), uuid4(), ("SIMAHP", "SIMMCR")[n % 2]
    served = date(2026, 1, 1) + timedelta(days=n % 330)
    created = datetime.combine(served, datetime.min.time(), UTC) + timedelta(days=1)
    paid = n % 3 != 0
    later = created + timedelta(days=14)
    ids = {"tenant_id": tenant, "practice_id": practice, "encounter_id": encounter}
    claim = {**ids, "claim_id": claim_id, "external_id": f"EHR-{n}", "provider_npi": "1234567893",
             "patient_ref": f"P-{n % 5000}", "payer_id": payer, "responsibility": "primary", "frequency": "1",
             "patient_control_number": f"CS{n:010d}", "service_date": served, "procedure_code": "90837",
             "status": "paid" if paid else "accepted", "charged": Decimal(150), "paid": Decimal(80 if paid else 0),
             "contractual": Decimal(40 if paid else 0), "patient_responsibility": Decimal(30 if paid else 0),
             "insurance_balance": Decimal(0 if paid else 150), "patient_balance": Decimal(30 if paid else 0),
             "created_at": created, "submitted_at": created, "accepted_at": created,
             "adjudicated_at": later if paid else None, "paid_at": later if paid else None,
             "last_event_at": later if paid else created, "first_denied": False, "facts": 6}  # fmt: skip
    base = {**ids, "claim_id": claim_id, "payer_id": payer, "provider_npi": "1234567893",
            "patient_ref": claim["patient_ref"], "service_date": served}  # fmt: skip
    moves = [("insurance", "charge", 150, created)]
    if paid:
        moves += [("insurance", "payment", -80, later), ("insurance", "contractual", -40, later),
                  ("insurance", "patient_responsibility", -30, later),
                  ("patient", "patient_responsibility", 30, later)]  # fmt: skip
    entries = [{**base, "seq": seq, "party": party, "kind": kind, "amount": Decimal(amount), "at": at}
               for seq, (party, kind, amount, at) in enumerate(moves, start=1)]  # fmt: skip
    fact = {**ids, "event_id": uuid4(), "claim_id": claim_id, "type": "claim.created", "source": "claim-submission",
            "at": created, "data": json.dumps({"payer_id": payer, "total_charge": "150"})}  # fmt: skip
    return claim, entries, fact


async def bulk_load(stack: LocalStack, schema: str) -> tuple[UUID, list[UUID], list[UUID], float]:
    """CLAIMS claims over PRACTICES practices of one tenant, with COPY; returns a sample of claim ids."""
    await fresh_schema(stack, schema)
    connection = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    # COPY's binary format for jsonb: a version byte (1), then the JSON text
    await connection.set_type_codec("jsonb", encoder=lambda v: b"\x01" + v.encode(), decoder=lambda b: b,
                                    schema="pg_catalog", format="binary")  # fmt: skip
    tenant, practices = uuid4(), [uuid4() for _ in range(PRACTICES)]
    sample: list[UUID] = []
    started = time.perf_counter()
    for start in range(0, CLAIMS, 50_000):
        rows = [query_rows(n, tenant, practices[n % PRACTICES]) for n in range(start, min(CLAIMS, start + 50_000))]
        for table, records in (("claims", [r[0] for r in rows]), ("ledger", [e for r in rows for e in r[1]]),
                               ("facts", [r[2] for r in rows])):  # fmt: skip
            columns = list(records[0])
            await connection.copy_records_to_table(table, records=[tuple(r[c] for c in columns) for r in records],
                                                   columns=columns, schema_name=schema)  # fmt: skip
        sample += [r[0]["claim_id"] for r in rows[:: max(1, len(rows) // 50)]]
    loaded = time.perf_counter() - started
    for table in ("claims", "ledger", "facts"):  # what autovacuum does to a loaded table, before the queries
        await connection.execute(f'VACUUM ANALYZE "{schema}".{table}')
    await connection.close()
    return tenant, practices, sample, loaded


async def query_latencies(stack: LocalStack, keys: tuple[TokenIssuer, Path]) -> dict[str, Any]:
    schema = "bench_projection_q"
    tenant, practices, sample, loaded = await bulk_load(stack, schema)
    issuer, public_key = keys
    headers = {"Authorization": f"Bearer {issuer.issue(tenant_id=tenant)}"}
    chance = random.Random(7)
    routes = {
        "claim_list": lambda: ("/v1/claims", {"practice_id": str(chance.choice(practices)), "limit": 50}),
        "claim_detail": lambda: (f"/v1/claims/{chance.choice(sample)}", {}),
        "aging": lambda: ("/v1/ar/aging", {"practice_id": str(chance.choice(practices)), "as_of": "2026-11-30"}),
        "kpis": lambda: ("/v1/kpis", {"practice_id": str(chance.choice(practices)), "from": "2026-01-01",
                                      "to": "2026-11-30", "as_of": "2026-11-30"}),
    }  # fmt: skip
    found: dict[str, Any] = {"claims_loaded": CLAIMS, "load_rows_per_s": round(CLAIMS * 5.3 / loaded)}
    async with service_client(SERVICE, settings_for(stack, schema, public_key), headers=headers) as client:
        for name, pick in routes.items():
            found[name] = await _latencies(client, pick)
    return found


async def _latencies(client: httpx.AsyncClient, pick: Any) -> dict[str, float]:
    timings = []
    for call in range(CALLS + 20):
        path, params = pick()
        started = time.perf_counter()
        response = await client.get(path, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        if call >= 20:  # the first calls warm the pool and the caches
            timings.append(elapsed)
    timings.sort()
    return {"p50_ms": round(timings[len(timings) // 2], 1), "p99_ms": round(timings[int(len(timings) * 0.99)], 1),
            "mean_ms": round(statistics.fmean(timings), 1)}  # fmt: skip


async def measure(stack: LocalStack) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp())
    generate_keypair(folder / "signing.pem", folder / "public.pem")
    keys = (TokenIssuer.from_file(folder / "signing.pem"), folder / "public.pem")
    count, produce = await publish(stack)
    results: dict[str, Any] = {"events": count, "kafka_produce_per_s": round(produce)}
    results["kafka_consume_per_s"] = round(await raw_consume(stack, count))
    results.update(await replay_rates(stack, keys[1]))
    results["postgres_insert_per_s"] = round(await raw_insert(stack, count))
    results["queries"] = await query_latencies(stack, keys)
    return results


def report(results: dict[str, Any]) -> None:
    print(f"\nprojection benchmark: {os.cpu_count()} cores")
    print(f"  rebuild replay  {results['replay_events_per_s']:>9,} events/s of {results['replayed_events']:,} "
          f"(target 10,000/s); {results['claims_built']:,} claims built")  # fmt: skip
    print(f"  live consumer   {results['consumer_apply_events_per_s']:>9,} events/s from offset 0 (incremental "
          f"folds); same model as the rebuild: {results['rebuild_equals_live_path']}")  # fmt: skip
    print(
        f"  raw references: Kafka produce {results['kafka_produce_per_s']:,}/s, consume "
        f"{results['kafka_consume_per_s']:,}/s; PostgreSQL insert {results['postgres_insert_per_s']:,} rows/s"
    )
    queries = results["queries"]
    print(f"  queries on {queries['claims_loaded']:,} claims (COPY {queries['load_rows_per_s']:,} rows/s), "
          f"p99 target 50 ms:")  # fmt: skip
    for name in ("claim_list", "claim_detail", "aging", "kpis"):
        q = queries[name]
        print(f"    {name:<13} p50 {q['p50_ms']:>6} ms  p99 {q['p99_ms']:>6} ms  mean {q['mean_ms']:>6} ms")


def main() -> int:
    stack = LocalStack(PROFILES["bench"])
    stack.start(fresh=True)
    try:
        results = asyncio.run(measure(stack))
    finally:
        stack.stop()
    report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
