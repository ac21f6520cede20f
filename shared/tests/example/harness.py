"""Helpers the platform tests share: drive the outbox relay and count the example's effects."""

import asyncio
from decimal import Decimal
from uuid import UUID, uuid4

from aiokafka import ConsumerRecord
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.kafka import new_producer
from claimstream_platform.messaging.outbox import OutboxRelay
from kafka_reader import header, read_topic
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from example.service import SUBSCRIPTIONS, TOPIC, applied, record_entry


def relay(sessionmaker: async_sessionmaker[AsyncSession], stack: StackUnderTest) -> OutboxRelay:
    return OutboxRelay(sessionmaker=sessionmaker, bootstrap_servers=stack.bootstrap_servers, source="example-ledger")


async def record(sessionmaker: async_sessionmaker[AsyncSession], tenant: UUID, count: int = 1) -> list[UUID]:
    ids = []
    async with UnitOfWork(sessionmaker) as uow:
        for _ in range(count):
            ids.append(await record_entry(uow, tenant_id=tenant, practice_id=uuid4(), amount=Decimal("125.50")))
        await uow.commit()
    return ids


async def drain(relay: OutboxRelay) -> int:
    producer = new_producer(relay.bootstrap_servers, client_id="test-relay")
    await producer.start()
    try:
        total = 0
        while sent := await relay.publish_batch(producer):
            total += sent
        return total
    finally:
        await producer.stop()


async def tenant_records(stack: StackUnderTest, tenant: UUID) -> list[ConsumerRecord[bytes, bytes]]:
    return [r for r in await read_topic(stack.bootstrap_servers, TOPIC) if header(r, "ce_tenantid") == str(tenant)]


async def count_applied(sessionmaker: async_sessionmaker[AsyncSession], tenant: UUID) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(applied.c.tenant_id == tenant)) or 0)


async def consume_until(
    stack: StackUnderTest,
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant: UUID,
    *,
    expected: int,
    group: str = "test",
    timeout: float = 60,
) -> Consumer:
    """Run a fresh consumer group until `expected` effects exist for the tenant, then a second more (time for a
    wrongly applied duplicate to show), and stop it."""
    consumer = Consumer(
        name=f"{group}-{uuid4().hex[:8]}",
        subscriptions=SUBSCRIPTIONS,
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
    )
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(timeout):
            while await count_applied(sessionmaker, tenant) < expected:
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)
    finally:
        consumer.stop()
        await task
    return consumer
