"""A consumer whose Kafka client is wedged: the broker answers its fetches, but none of its commits is answered. A
reliability run saw one after the broker's restart (expired from its group, it applied for a minute with every commit
timing out, and never joined again); here the wedge is made in the client's commit, on real Kafka and PostgreSQL. The
consumer starts a new client once commits have gone unanswered for a while, and the new one commits; every event is
applied once."""

import asyncio
from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import GroupCoordinatorNotAvailableError
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging import partitions
from claimstream_platform.messaging.consumer import Consumer, run_until_stopped
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import ensure_topics, new_admin
from example.harness import count_applied
from example.service import applied
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

TOPIC = f"wedge-test-{uuid4().hex[:8]}.v1"
EVENTS = 12


class Noted(IntegrationEvent):
    event_type: ClassVar[str] = "claimstream.example.noted.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "entry_id"

    entry_id: UUID


async def note(event: Noted, uow: UnitOfWork) -> None:
    await uow.session.execute(insert(applied).values(entry_id=event.entry_id, tenant_id=event.tenant_id, amount=1))


async def produce(stack: StackUnderTest, tenant: UUID) -> dict[TopicPartition, int]:
    """EVENTS events spread over the topic's partitions; returns each partition's end."""
    await ensure_topics(stack.bootstrap_servers, [TOPIC])
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    ends: dict[TopicPartition, int] = {}
    try:
        for _ in range(EVENTS):
            event = Noted(tenant_id=tenant, entry_id=uuid4())
            message = encode_event(event, EventMetadata(uuid4(), "test", datetime.now(UTC), correlation_id=uuid4()))
            sent = await producer.send_and_wait(
                TOPIC, message.value, key=event.partition_key.encode(), headers=list(message.headers.items())
            )
            ends[TopicPartition(TOPIC, sent.partition)] = sent.offset + 1
    finally:
        await producer.stop()
    return ends


async def committed_to(stack: StackUnderTest, group: str, ends: dict[TopicPartition, int]) -> bool:
    admin = new_admin(stack.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    except GroupCoordinatorNotAvailableError:  # a fresh broker still making its offsets topic
        return False
    finally:
        await admin.close()
    return all(partition in offsets and offsets[partition].offset >= end for partition, end in ends.items())


async def test_a_client_whose_commits_go_unanswered_while_its_fetches_are_answered_is_started_anew(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = uuid4()
    ends = await produce(stack, tenant)
    clients: list[AIOKafkaConsumer] = []
    commit = AIOKafkaConsumer.commit

    async def wedged_first(client: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        clients.extend([client] if client not in clients else [])
        if client is clients[0]:  # the first client to commit is wedged: none of its commits is ever answered
            await asyncio.Event().wait()
        await commit(client, offsets)

    monkeypatch.setattr(AIOKafkaConsumer, "commit", wedged_first)
    monkeypatch.setattr(partitions, "WEDGED_AFTER", 4.0)  # 30 s in production: this tests the move, not the patience
    consumer = Consumer(
        name=f"wedged-{uuid4().hex[:8]}",
        subscriptions={Noted: note},
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
        session_timeout_ms=6_000,
    )
    running = asyncio.create_task(run_until_stopped(consumer, first_backoff=0.1))
    try:
        async with asyncio.timeout(60):
            while not await committed_to(stack, consumer.name, ends):
                await asyncio.sleep(1)
    finally:
        consumer.stop()
        await asyncio.wait_for(running, timeout=60)
    assert len(clients) >= 2  # the wedged one, and the one started in its place, whose commits were answered
    assert await count_applied(sessionmaker, tenant) == EVENTS  # given again to the new client, applied once
