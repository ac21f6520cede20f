"""Issue 28: a deadlock or a serialization failure is a lost race, not the event's fault (messaging/failures.py): the
batch goes again, however often, and nothing is dead-lettered. On the stall tests' topic and helpers."""

from uuid import UUID, uuid4

from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Consumer
from example.service import applied
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integration.test_consumer_stalls import WorkRequested, _applied, _letters, produce, running, topic, until

__all__ = ["topic"]  # the stall tests' topic fixture, made for this module too


async def test_an_event_that_keeps_losing_races_is_applied_once_they_end_and_dead_letters_nothing(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Deadlocks and serialization failures once counted against the event: a busy projection, whose partitions
    fold the same encounters, dead-lettered events after three lost races and its read model lost them."""
    tenant, calls = uuid4(), list[UUID]()
    races = 3 + 2  # more than the consumer's attempts

    async def losing(event: WorkRequested, uow: UnitOfWork) -> None:
        if event.tenant_id != tenant:
            return
        calls.append(event.entry_id)
        if len(calls) <= races:
            await uow.session.execute(text(_DEADLOCK))
        await uow.session.execute(insert(applied).values(entry_id=event.entry_id, tenant_id=tenant, amount=1))

    consumer = Consumer(
        name=f"races-{uuid4().hex[:8]}",
        subscriptions={WorkRequested: losing},
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
        max_backoff=0.2,
    )
    assert consumer.max_attempts < races
    await produce(stack, [(1, WorkRequested(tenant_id=tenant, entry_id=uuid4()))])
    async with running(consumer):
        await until(lambda: _applied(sessionmaker, tenant, 1), timeout=60, what="event applied")
    assert await _letters(stack, consumer.name) == [] and len(calls) == races + 1


_DEADLOCK = "DO $$ BEGIN RAISE EXCEPTION 'lost a race' USING ERRCODE = '40P01'; END $$"
