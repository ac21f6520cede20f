"""A handler retried inside the consumer's savepoint: what a failed attempt staged to publish goes with it."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from aiokafka.structs import ConsumerRecord
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.db import UnitOfWork, outbox
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from example.service import TOPIC, EntryRecorded
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def _record(event: EntryRecorded) -> ConsumerRecord[bytes, bytes]:
    metadata = EventMetadata(event_id=uuid4(), source="test", time=datetime.now(UTC), correlation_id=uuid4())
    message = encode_event(event, metadata)
    headers = list(message.headers.items())
    return ConsumerRecord(TOPIC, 0, 0, 0, 0, message.key, message.value, None, 0, len(message.value), headers)


async def test_an_attempt_that_failed_publishes_nothing_and_the_retry_publishes_once(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    attempts = []

    async def publish_then_fail_once(event: EntryRecorded, uow: UnitOfWork) -> None:
        attempts.append(event.entry_id)
        uow.publish(EntryRecorded(tenant_id=event.tenant_id, entry_id=uuid4(), amount=event.amount))
        if len(attempts) < 3:  # the batch attempt and the first attempt on its own fail
            raise RuntimeError("refused this time")

    consumer = Consumer("retries", {EntryRecorded: publish_then_fail_once}, sessionmaker, stack.bootstrap_servers)
    tenant = uuid4()
    dead = await consumer.apply([_record(EntryRecorded(tenant_id=tenant, entry_id=uuid4(), amount=Decimal(1)))])

    async with sessionmaker() as session:
        staged = await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.tenant_id == tenant))
    assert dead == [] and len(attempts) == 3
    assert staged == 1  # the two failed attempts' events were dropped with their writes
