"""`make bench`: the platform's throughput beside raw aiokafka on the same broker, in the same run.

Starts its own Kafka and PostgreSQL (the `bench` profile), then measures:
  raw produce   aiokafka, acks=all + idempotence, no database
  raw consume   aiokafka, the same records, no database
  outbox relay  pending outbox rows -> Kafka -> marked sent
  inbox consume consumer runtime: decode, inbox dedupe, one INSERT per event, DB commit, offset commit
  batch consume the same with a batch handler: one multi-row INSERT per partition batch
Prints a table and writes bench/results/platform.json.
"""

import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import ClassVar
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork, platform_metadata
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.consumer import Consumer, Delivery, batched
from claimstream_platform.messaging.kafka import ensure_topics, new_producer
from claimstream_platform.messaging.outbox import OutboxRelay
from claimstream_platform.practices import create_registry, register
from measuring import pyx12_claims_per_s
from sqlalchemy import Column, MetaData, Numeric, Table, bindparam, func, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import async_sessionmaker

EVENTS = int(os.environ.get("BENCH_EVENTS", "30000"))
BATCH = int(os.environ.get("BENCH_CONSUMER_BATCH", "5000"))  # records per poll, across partitions
RAW_TOPIC, TOPIC = "bench-raw.v1", "bench-ledger.v1"
RESULTS = Path(__file__).parent / "results" / "platform.json"
WAIT_SECONDS = 300  # a measure not done by then fails the bench (every event dead-lettered, say): never a hang
TENANT, PRACTICE = uuid4(), uuid4()  # the practice registered as the tenant's: the consumer refuses any other


class ChargePosted(IntegrationEvent):
    """Benchmark-only event, about the size of a real charge event's ids and amounts."""

    event_type: ClassVar[str] = "claimstream.bench.charge-posted.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "charge_id"
    charge_id: UUID
    encounter_id: UUID
    amount: Decimal
    code: str


metadata = MetaData()
effects = Table("effects", metadata, Column("charge_id", PgUUID(as_uuid=True)), Column("amount", Numeric(12, 2)))


async def apply(event: ChargePosted, uow: UnitOfWork) -> None:
    await uow.session.execute(insert(effects).values(charge_id=event.charge_id, amount=event.amount))


# One multi-row INSERT per run of events: two array parameters, unnested by PostgreSQL.
INSERT_MANY = insert(effects).from_select(
    ["charge_id", "amount"],
    select(
        func.unnest(bindparam("ids", type_=ARRAY(PgUUID(as_uuid=True)))),
        func.unnest(bindparam("amounts", type_=ARRAY(Numeric(12, 2)))),
    ),
)


async def apply_many(deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
    events = [d.event for d in deliveries]
    ids, amounts = [e.charge_id for e in events], [e.amount for e in events]  # type: ignore[attr-defined]
    await uow.session.execute(INSERT_MANY, {"ids": ids, "amounts": amounts})


def sample(tenant: UUID = TENANT) -> ChargePosted:
    """An event of `tenant`, of the practice registered as TENANT's (another tenant's events are only published)."""
    return ChargePosted(
        tenant_id=tenant,
        practice_id=PRACTICE,
        charge_id=uuid4(),
        encounter_id=uuid4(),
        amount=Decimal("165.00"),
        code="90837",
    )


async def raw_produce(bootstrap: str, payload: bytes) -> float:
    producer = new_producer(bootstrap, client_id="bench-raw")
    await producer.start()
    started = time.perf_counter()
    futures = [await producer.send(RAW_TOPIC, payload, key=str(i).encode()) for i in range(EVENTS)]
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - started
    await producer.stop()
    return EVENTS / elapsed


async def raw_consume(bootstrap: str) -> float:
    consumer = AIOKafkaConsumer(
        RAW_TOPIC,
        bootstrap_servers=bootstrap,
        group_id="bench-raw",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=2000,
    )
    await consumer.start()
    seen, started = 0, time.perf_counter()
    while seen < EVENTS:
        _in_time("raw consume", started, seen)
        for records in (await consumer.getmany(timeout_ms=500, max_records=2000)).values():
            seen += len(records)
            await consumer.commit()
    elapsed = time.perf_counter() - started
    await consumer.stop()
    return EVENTS / elapsed


async def outbox_relay(bootstrap: str, sessionmaker: async_sessionmaker) -> float:  # type: ignore[type-arg]
    for start in range(0, EVENTS, 2000):
        async with UnitOfWork(sessionmaker) as uow:
            for _ in range(min(2000, EVENTS - start)):
                uow.publish(sample())
            await uow.commit()
    relay = OutboxRelay(sessionmaker=sessionmaker, bootstrap_servers=bootstrap, source="bench", batch_size=1000)
    producer = new_producer(bootstrap, client_id="bench-relay")
    await producer.start()
    sent, started = 0, time.perf_counter()
    while sent < EVENTS:
        _in_time("outbox relay", started, sent)
        sent += await relay.publish_batch(producer)
    elapsed = time.perf_counter() - started
    await producer.stop()
    return EVENTS / elapsed


async def inbox_consume(bootstrap: str, sessionmaker: async_sessionmaker, *, batch: bool = False) -> float:  # type: ignore[type-arg]
    async with sessionmaker() as session:
        await session.execute(text("TRUNCATE effects"))
        await session.commit()
    consumer = Consumer(
        name="bench-ledger-batch" if batch else "bench-ledger",
        subscriptions={ChargePosted: batched(apply_many) if batch else apply},
        sessionmaker=sessionmaker,
        bootstrap_servers=bootstrap,
        batch_size=BATCH,
    )
    task = asyncio.create_task(consumer.run())
    started = time.perf_counter()
    applied = 0
    while applied < EVENTS:
        try:
            _in_time(consumer.name, started, applied)
        except RuntimeError:
            consumer.stop()
            await task
            raise
        await asyncio.sleep(0.05)
        async with sessionmaker() as session:
            applied = await session.scalar(select(func.count()).select_from(effects)) or 0
    elapsed = time.perf_counter() - started
    consumer.stop()
    await task
    return EVENTS / elapsed


def _in_time(measure: str, started: float, done: int) -> None:
    if time.perf_counter() - started > WAIT_SECONDS:
        raise RuntimeError(f"{measure}: {done} of {EVENTS} events in {WAIT_SECONDS} s")


async def measure(stack: LocalStack) -> dict[str, float]:
    await ensure_topics(stack.bootstrap_servers, [RAW_TOPIC, TOPIC])
    engine = create_engine(stack.database_url, schema="bench", connections=8)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE SCHEMA IF NOT EXISTS bench"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.run_sync(platform_metadata.create_all)
        await connection.run_sync(create_registry)
    async with sessionmaker() as session:
        await register(session, PRACTICE, TENANT)
        await session.commit()
    payload = sample().model_dump_json().encode()
    try:
        return {
            "raw_produce_per_s": await raw_produce(stack.bootstrap_servers, payload),
            "raw_consume_per_s": await raw_consume(stack.bootstrap_servers),
            "outbox_relay_per_s": await outbox_relay(stack.bootstrap_servers, sessionmaker),
            "inbox_consume_per_s": await inbox_consume(stack.bootstrap_servers, sessionmaker),
            "batch_consume_per_s": await inbox_consume(stack.bootstrap_servers, sessionmaker, batch=True),
            "pyx12_claims_per_s": pyx12_claims_per_s(),
        }
    finally:
        await engine.dispose()


def main() -> int:
    stack = LocalStack(PROFILES["bench"])
    stack.start(fresh=True)
    try:
        rates = asyncio.run(measure(stack))
    finally:
        stack.stop()
    targets = {"outbox_relay_per_s": 5000, "inbox_consume_per_s": 3000, "batch_consume_per_s": 15000}
    print(f"\nplatform benchmark: {EVENTS} events, Kafka started in {stack.kafka_start_seconds or 0:.1f} s")
    print(f"{'measure':<22}{'events/s':>12}{'target':>10}{'vs raw':>10}")
    for name, rate in rates.items():
        if name == "pyx12_claims_per_s":
            print(f"raw reference: pyx12 {rate:,} claims/s")
            continue
        raw = rates["raw_produce_per_s"] if "relay" in name else rates["raw_consume_per_s"]
        ratio = "" if name.startswith("raw") else f"{rate / raw:.0%}"
        target = targets.get(name)
        print(f"{name:<22}{rate:>12,.0f}{(f'{target:,}' if target else ''):>10}{ratio:>10}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "events": EVENTS,
                "kafka_start_seconds": stack.kafka_start_seconds,
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                **rates,
            },
            indent=2,
        )
    )
    print(f"saved {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
