"""The consumer runtime: exactly-once effects across SIGKILL, and dead letters that do not block a partition."""

import asyncio
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform import practices
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import dead_letter_topic, ensure_topics
from example.harness import consume_until, count_applied, drain, relay
from example.service import TOPIC, EntryRecorded, applied, record_entry
from kafka_reader import header, read_topic
from sqlalchemy import func, select

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
async def topic(stack: StackUnderTest) -> None:
    await ensure_topics(stack.bootstrap_servers, [TOPIC])


def start_worker(stack: StackUnderTest, schema: str, group: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(TESTS),
        "DATABASE_URL": stack.database_url,
        "DATABASE_SCHEMA": schema,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "CONSUMER_GROUP": group,
        "HANDLER_DELAY": "0.002",
        "BATCH_SIZE": "200",
        "SESSION_TIMEOUT_MS": "6000",
    }
    return subprocess.Popen([sys.executable, "-m", "example.worker"], env=env)


async def wait_for(condition, *, timeout: float, what: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"no {what} within {timeout} s")


async def test_a_consumer_killed_mid_batch_and_restarted_applies_every_event_exactly_once(
    stack, schema, sessionmaker
) -> None:
    tenant, total = uuid4(), 3000
    async with UnitOfWork(sessionmaker) as uow:
        for _ in range(total):
            await record_entry(uow, tenant_id=tenant, practice_id=uuid4(), amount=Decimal("1.00"))
        await uow.commit()
    assert await drain(relay(sessionmaker, stack)) == total
    group = f"kill-{uuid4().hex[:8]}"
    kills = 0
    for threshold in (300, 1200, 2100):  # SIGKILL three times, each in the middle of a batch
        worker = start_worker(stack, schema, group)
        await wait_for(lambda t=threshold: _applied_at_least(sessionmaker, tenant, t), timeout=120, what="progress")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
    worker = start_worker(stack, schema, group)
    try:
        await wait_for(lambda: _applied_at_least(sessionmaker, tenant, total), timeout=180, what="catch-up")
        await asyncio.sleep(2)  # a duplicate applied late would show now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)

    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(func.count(), func.count(applied.c.entry_id.distinct())).where(applied.c.tenant_id == tenant)
            )
        ).one()
    assert kills == 3
    assert tuple(rows) == (total, total)


async def _applied_at_least(sessionmaker, tenant, count: int) -> bool:
    return await count_applied(sessionmaker, tenant) >= count


def _five_bad_and_one_good(tenant: UUID, entry_id: UUID) -> list[tuple[bytes, dict[str, bytes]]]:
    """Records on one key: four that cannot be decoded or do not belong, one the handler refuses, one good."""
    good = encode_event(
        EntryRecorded(tenant_id=tenant, entry_id=entry_id, amount=Decimal("5.00")),
        EventMetadata(event_id=uuid4(), source="test", time=_now(), correlation_id=uuid4()),
    )
    negative = encode_event(
        EntryRecorded(tenant_id=tenant, entry_id=entry_id, amount=Decimal("-5.00")),
        EventMetadata(event_id=uuid4(), source="test", time=_now(), correlation_id=uuid4()),
    )
    bad_payload = dict(good.headers) | {"ce_id": str(uuid4()).encode()}
    unknown_type = dict(good.headers) | {"ce_id": str(uuid4()).encode(), "ce_type": b"claimstream.nobody.knows.v9"}
    other_tenant = dict(good.headers) | {"ce_id": str(uuid4()).encode(), "ce_tenantid": str(uuid4()).encode()}
    return [
        (b"not json at all", {"ce_tenantid": str(tenant).encode()}),  # no CloudEvents headers
        (b'{"tenant_id": "' + str(tenant).encode() + b'", "amount": "x"}', bad_payload),
        (good.value, unknown_type),
        (good.value, other_tenant),
        (negative.value, dict(negative.headers)),  # decodes, but the handler refuses it
        (good.value, dict(good.headers)),
    ]


async def test_a_malformed_event_is_dead_lettered_and_later_events_on_its_partition_still_apply(
    stack, sessionmaker
) -> None:
    tenant, entry_id = uuid4(), uuid4()
    key = f"{tenant}:{entry_id}".encode()  # one key: one partition, in this order
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for value, headers in _five_bad_and_one_good(tenant, entry_id):
            await producer.send_and_wait(TOPIC, value=value, key=key, headers=list(headers.items()))
    finally:
        await producer.stop()

    consumer = await consume_until(stack, sessionmaker, tenant, expected=1, group="dlq")

    assert await count_applied(sessionmaker, tenant) == 1
    letters = [
        r
        for r in await read_topic(stack.bootstrap_servers, dead_letter_topic(TOPIC))
        if r.key == key and header(r, "dlq_consumer") == consumer.name
    ]
    reasons = sorted(header(r, "dlq_reason") or "" for r in letters)
    assert len(letters) == 5
    assert [header(r, "dlq_kind") for r in letters].count("handler") == 1
    assert any(reason.startswith("missing CloudEvents headers") for reason in reasons)
    assert any("payload fails EntryRecorded: entry_id: Field required" in reason for reason in reasons)
    assert any(reason == "unknown event type claimstream.nobody.knows.v9" for reason in reasons)
    assert any(reason == "tenantid header does not match the payload" for reason in reasons)
    assert any(reason == "RuleViolation: an entry cannot be negative" for reason in reasons)
    assert all('"x"' not in reason for reason in reasons)  # reasons never quote payload values


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_an_event_whose_practice_is_unknown_or_another_tenants_is_dead_lettered_before_its_handler(
    stack, sessionmaker
) -> None:
    """Issue 26: the registry of practices (written as charge capture sets each up) decides; the partition flows."""
    tenant, other_tenant, entry_id = uuid4(), uuid4(), uuid4()
    ours, theirs, unknown = uuid4(), uuid4(), uuid4()
    async with UnitOfWork(sessionmaker) as uow:
        await practices.register(uow.session, ours, tenant)
        await practices.register(uow.session, theirs, other_tenant)
        await uow.commit()
    key = f"{tenant}:{entry_id}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for practice in (theirs, unknown, ours, None):
            event = EntryRecorded(tenant_id=tenant, practice_id=practice, entry_id=entry_id, amount=Decimal("5.00"))
            message = encode_event(event, EventMetadata(uuid4(), "test", _now(), correlation_id=uuid4()))
            await producer.send_and_wait(TOPIC, value=message.value, key=key, headers=list(message.headers.items()))
    finally:
        await producer.stop()

    consumer = await consume_until(stack, sessionmaker, tenant, expected=2, group="practice")

    assert await count_applied(sessionmaker, tenant) == 2  # its own practice's event, and one with no practice
    letters = [
        r
        for r in await read_topic(stack.bootstrap_servers, dead_letter_topic(TOPIC))
        if r.key == key and header(r, "dlq_consumer") == consumer.name
    ]
    assert sorted((header(r, "dlq_kind"), header(r, "dlq_reason")) for r in letters) == sorted(
        [
            ("practice", f"practice {theirs} does not belong to tenant {tenant}"),
            ("practice", f"practice {unknown} is not a practice of this installation"),
        ]
    )
