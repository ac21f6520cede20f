"""A handler retried inside the consumer's savepoint: what a failed attempt staged to publish goes with it, and so does
its switch of tenant."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from aiokafka.structs import ConsumerRecord
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.context import Tenancy
from claimstream_platform.db import UnitOfWork, outbox
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from example.service import TOPIC, EntryRecorded
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_A, _B = uuid4(), uuid4()


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


async def test_a_tenant_switch_rolled_back_with_its_savepoint_is_told_to_the_transaction_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """`act_for` tells a transaction its tenant once (not once per event of a batch); a savepoint that rolls back
    takes its switch with it, so the next switch to that tenant is told again, not taken as said."""

    async def told(uow: UnitOfWork) -> str | None:
        return await uow.session.scalar(text("SELECT current_setting('claimstream.tenant_id', true)"))

    async with UnitOfWork(sessionmaker, Tenancy.of(_A)) as uow:
        await uow.act_for(Tenancy.of(_A))
        assert await told(uow) == str(_A)
        with pytest.raises(LookupError):
            async with uow.savepoint():
                await uow.act_for(Tenancy.of(_B))
                assert await told(uow) == str(_B)
                raise LookupError("the handler failed")
        assert await told(uow) == str(_A)
        await uow.act_for(Tenancy.of(_B))
        assert await told(uow) == str(_B)
