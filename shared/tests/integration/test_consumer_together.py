"""A consumer `together` (messaging/partitions.py): what one poll fetched from all its partitions is one batch, one
batch at a time, and the offset of every partition in it is committed. On real Kafka and PostgreSQL, on a topic of
this run's own (no other test's records to wade through: they would fill the first polls)."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4

from aiokafka import TopicPartition
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Consumer, Delivery, batched
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import ensure_topics, new_admin, new_producer
from example.harness import count_applied
from example.service import applied
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

TOPIC = f"together-test-{uuid4().hex[:8]}.v1"


class EntryNoted(IntegrationEvent):
    event_type: ClassVar[str] = "claimstream.example.entry-noted.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "entry_id"

    entry_id: UUID


class Watched:
    """A batch handler that notes each call's entries and how many calls ran at once."""

    def __init__(self) -> None:
        self.calls: list[set[UUID]] = []
        self.running = self.most_at_once = 0

    async def __call__(self, deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(0.2)  # long enough for a second batch to start, were batches run side by side
        finally:
            self.running -= 1
        rows = [{"entry_id": d.event.entry_id, "tenant_id": d.event.tenant_id, "amount": 1} for d in deliveries]  # type: ignore[attr-defined]
        await uow.session.execute(insert(applied), rows)
        self.calls.append({row["entry_id"] for row in rows})


async def test_one_batch_of_several_partitions_at_a_time_and_each_partitions_offset_committed(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_topics(stack.bootstrap_servers, [TOPIC])
    tenant = uuid4()
    partition_of, ends = await publish(stack, [EntryNoted(tenant_id=tenant, entry_id=uuid4()) for _ in range(12)])
    assert len(ends) > 1  # the entries' keys spread them over the topic's partitions

    handler = Watched()
    consumer = Consumer(
        name=f"together-{uuid4().hex[:8]}",
        subscriptions={EntryNoted: batched(handler)},
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
        session_timeout_ms=6_000,
        together=True,
    )
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(60):
            while await count_applied(sessionmaker, tenant) < 12 or await _committed(stack, consumer.name) != ends:
                await asyncio.sleep(0.2)
    finally:
        consumer.stop()
        await asyncio.wait_for(task, timeout=60)

    assert handler.most_at_once == 1
    assert any(len({partition_of[entry] for entry in call}) > 1 for call in handler.calls)
    assert sum(len(call) for call in handler.calls) == 12  # each once


async def publish(stack: StackUnderTest, events: list[EntryNoted]) -> tuple[dict[UUID, int], dict[TopicPartition, int]]:
    """The events sent by their keys: each entry's partition, and each partition's end offset."""
    producer = new_producer(stack.bootstrap_servers, client_id="together-test")
    await producer.start()
    partition_of, ends = {}, {}
    try:
        for event in events:
            message = encode_event(event, EventMetadata(uuid4(), "test", datetime.now(UTC), correlation_id=uuid4()))
            headers = list(message.headers.items())
            sent = await producer.send_and_wait(TOPIC, value=message.value, key=message.key.encode(), headers=headers)
            partition_of[event.entry_id] = sent.partition
            ends[TopicPartition(TOPIC, sent.partition)] = sent.offset + 1
    finally:
        await producer.stop()
    return partition_of, ends


async def _committed(stack: StackUnderTest, group: str) -> dict[TopicPartition, int]:
    admin = new_admin(stack.bootstrap_servers)
    await admin.start()
    try:
        return {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    finally:
        await admin.close()
