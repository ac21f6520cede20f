"""What the dead-letter redrive tests share: a ledger topic of each test's own (its contracts, created and deleted
with it, so that `claimstream dlq` reads a handful of letters, not every letter other tests left on a shared
topic), the command run as an operator runs it, consumers run for a while, and reads of what the broker holds."""

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import base as contracts_base
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode
from claimstream_platform.messaging.kafka import dead_letter_topic, ensure_topics, new_admin
from example.harness import count_applied
from example.service import applied
from kafka_reader import header, read_topic
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Record = ConsumerRecord[bytes, bytes]
Subscriptions = Mapping[type[IntegrationEvent], Any]


@dataclass(frozen=True)
class Ledger:
    """A topic of one test's own and the types of its events: `entry_type` known to every consumer (v1),
    `voided_type` only to the consumers given `voided()` (v2)."""

    servers: str
    topic: str
    entry_type: str
    voided_type: str

    @property
    def dlq(self) -> str:
        return dead_letter_topic(self.topic)

    @property
    def v1(self) -> Subscriptions:
        return {_contract(self.entry_type, self.topic): apply_entry}

    def v2(self, calls: list[UUID]) -> Subscriptions:
        """v1's subscriptions and the new type's (registered in this process from now on), its calls counted."""

        async def apply_void(event: Any, uow: UnitOfWork) -> None:
            calls.append(event.entry_id)
            await apply_entry(event, uow, sign=-1)

        return {**self.v1, _contract(self.voided_type, self.topic): apply_void}


@asynccontextmanager
async def a_ledger(servers: str) -> AsyncIterator[Ledger]:
    name = f"dlq-test-{uuid4().hex[:8]}"
    ledger = Ledger(servers, f"{name}.v1", f"claimstream.{name}.entry-recorded.v1", f"claimstream.{name}.voided.v1")
    await ensure_topics(servers, [ledger.topic])
    try:
        yield ledger
    finally:
        for event_type in (ledger.entry_type, ledger.voided_type):
            contracts_base._REGISTRY.pop(event_type, None)  # the registry is process-wide: the schema export reads it
        admin = new_admin(servers)
        await admin.start()
        try:
            await admin.delete_topics([ledger.topic, ledger.dlq])
        finally:
            await admin.close()


def _contract(event_type: str, topic: str) -> type[IntegrationEvent]:
    """A contract made at run time, on the test's topic; asked again, the class made before."""
    known = contracts_base.event_class(event_type)
    if known is not None:
        return known
    fields = {"__annotations__": {"entry_id": UUID, "amount": Decimal}}
    return type(
        "Entry", (IntegrationEvent,), {**fields, "event_type": event_type, "topic": topic, "subject_field": "entry_id"}
    )


async def apply_entry(event: Any, uow: UnitOfWork, sign: int = 1) -> None:
    row = {"entry_id": event.entry_id, "tenant_id": event.tenant_id, "amount": sign * event.amount}
    await uow.session.execute(insert(applied).values(**row))


Message = tuple[bytes, bytes, list[tuple[str, bytes]]]  # key, value, headers


def message(tenant: UUID, event_type: str, entry_id: UUID, amount: str, **extra: str) -> Message:
    """An event as a producer writes it; `extra` are fields a newer producer added."""
    payload = {"tenant_id": str(tenant), "entry_id": str(entry_id), "amount": amount, **extra}
    metadata = EventMetadata(event_id=uuid4(), source="test", time=datetime.now(UTC), correlation_id=uuid4())
    encoded = encode(
        event_type=event_type,
        subject=str(entry_id),
        key=f"{tenant}:{entry_id}",
        payload=json.dumps(payload).encode(),
        tenant_id=tenant,
        practice_id=None,
        metadata=metadata,
    )
    return encoded.key.encode(), encoded.value, list(encoded.headers.items())


async def produce(ledger: Ledger, *messages: Message) -> list[str]:
    """Sent in this order; returns their event ids."""
    producer = AIOKafkaProducer(bootstrap_servers=ledger.servers, acks="all")
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(ledger.topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
    return [dict(headers)["ce_id"].decode() for _, _, headers in messages]


async def dlq(ledger: Ledger, *args: str) -> str:
    """`claimstream dlq ...` as an operator runs it: a process of its own (the consumers here go on meanwhile),
    told the ledger's broker as an operator tells it (KAFKA_BOOTSTRAP_SERVERS)."""
    command = [sys.executable, "-m", "claimstream_platform.cli", "dlq", *args]
    pipe = asyncio.subprocess.PIPE
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": ledger.servers}
    process = await asyncio.create_subprocess_exec(*command, env=env, stdout=pipe, stderr=pipe)
    async with asyncio.timeout(120):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


@asynccontextmanager
async def consuming(
    ledger: Ledger, sessionmaker: async_sessionmaker[AsyncSession], group: str, subscriptions: Subscriptions
) -> AsyncIterator[None]:
    consumer = Consumer(
        name=group,
        subscriptions=subscriptions,
        sessionmaker=sessionmaker,
        bootstrap_servers=ledger.servers,
        max_attempts=2,
        max_backoff=0.2,
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        await task


async def copies(ledger: Ledger, event_id: str) -> list[Record]:
    """The records of one event on the ledger's topic, in the order they were written."""
    found = [record for record in await read_topic(ledger.servers, ledger.topic) if header(record, "ce_id") == event_id]
    return sorted(found, key=lambda record: record.offset)


async def the_letter(ledger: Ledger, group: str, event_id: str) -> Record:
    """The one dead letter of an event from one group, once it is there."""

    async def letters() -> list[Record]:
        return [
            record
            for record in await read_topic(ledger.servers, ledger.dlq)
            if header(record, "dlq_consumer") == group and header(record, "ce_id") == event_id
        ]

    async def lettered() -> bool:
        return bool(await letters())

    await until(lettered, what=f"the dead letter of {event_id}")
    (letter,) = await letters()
    return letter


async def consumed_past(servers: str, record: Record, *groups: str) -> bool:
    """Each group committed an offset past `record` on its partition."""
    admin = new_admin(servers)
    await admin.start()
    try:
        tp = TopicPartition(record.topic, record.partition)
        for group in groups:
            committed = (await admin.list_consumer_group_offsets(group, partitions=[tp])).get(tp)
            if committed is None or committed.offset <= record.offset:
                return False
        return True
    finally:
        await admin.close()


async def until(condition: Callable[[], Awaitable[bool]], *, what: str, timeout: float = 60) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"no {what} within {timeout} s") from None


def applied_count_is(sessionmaker: async_sessionmaker[AsyncSession], tenant: UUID, count: int) -> Callable[[], Any]:
    async def reached() -> bool:
        return await count_applied(sessionmaker, tenant) == count

    return reached


async def applied_total(sessionmaker: async_sessionmaker[AsyncSession], tenant: UUID) -> Decimal:
    async with sessionmaker() as session:
        total = await session.scalar(select(func.sum(applied.c.amount)).where(applied.c.tenant_id == tenant))
    return Decimal(total or 0)
