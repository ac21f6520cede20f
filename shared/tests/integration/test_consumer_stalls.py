"""Issue 28: no consumer stall. An event whose work always times out is dead-lettered after its attempts and the
events behind it apply; a partition stuck behind a lock holds back neither the other partitions nor their offsets.
On real Kafka and PostgreSQL, on a topic of this run's own (no other test's records to wade through)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import dead_letter_topic, ensure_topics, new_admin
from example.harness import count_applied
from example.service import applied, entries
from kafka_reader import header, read_topic
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

TOPIC = f"stall-test-{uuid4().hex[:8]}.v1"


class WorkRequested(IntegrationEvent):
    """An event whose handler does what `hold` says: nothing more, or wait on a locked row, or sleep in a query."""

    event_type: ClassVar[str] = "claimstream.example.work-requested.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "entry_id"

    entry_id: UUID
    hold: str = ""  # "", "lock" or "sleep"


@pytest.fixture(autouse=True)
async def topic(stack: StackUnderTest) -> None:
    await ensure_topics(stack.bootstrap_servers, [TOPIC])


async def held_row(sessionmaker: async_sessionmaker[AsyncSession], tenant: UUID) -> UUID:
    row = uuid4()
    async with sessionmaker() as session, session.begin():
        await session.execute(insert(entries).values(id=row, tenant_id=tenant, practice_id=uuid4(), amount=1))
    return row


def handler(tenant: UUID, row: UUID, calls: list[UUID], *, lock_timeout: str | None = None) -> Any:
    async def work(event: WorkRequested, uow: UnitOfWork) -> None:
        if event.tenant_id != tenant:
            return  # an earlier test's event on this run's topic
        calls.append(event.entry_id)
        if event.hold == "lock":
            if lock_timeout:
                await uow.session.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": lock_timeout})
            await uow.session.execute(select(entries.c.id).where(entries.c.id == row).with_for_update())
        elif event.hold == "sleep":
            await uow.session.execute(text("SELECT pg_sleep(20)"))
        await uow.session.execute(insert(applied).values(entry_id=event.entry_id, tenant_id=tenant, amount=1))

    return work


async def produce(stack: StackUnderTest, events: list[tuple[int, WorkRequested]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for partition, event in events:
            metadata = EventMetadata(uuid4(), "test", datetime.now(UTC), correlation_id=uuid4())
            message = encode_event(event, metadata)
            headers = list(message.headers.items())
            await producer.send_and_wait(
                TOPIC, value=message.value, key=event.partition_key.encode(), headers=headers, partition=partition
            )
    finally:
        await producer.stop()


async def committed(stack: StackUnderTest, group: str) -> dict[TopicPartition, int]:
    admin = new_admin(stack.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in offsets.items()}
    finally:
        await admin.close()


async def ends(stack: StackUnderTest) -> dict[int, int]:
    records = await read_topic(stack.bootstrap_servers, TOPIC)
    last: dict[int, int] = {}
    for record in records:
        last[record.partition] = max(last.get(record.partition, 0), record.offset + 1)
    return last


async def until(condition: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"no {what} within {timeout} s")


@asynccontextmanager
async def running(consumer: Consumer) -> AsyncIterator[None]:
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        await asyncio.wait_for(task, timeout=60)


STALLS = {
    # SQLSTATE 55P03 once counted as transient: retried for ever, holding the partition.
    "lock timeout": ({"lock_timeout": "200ms"}, "lock", {}, "DBAPIError: SQLSTATE 55P03 lock not available"),
    # The command timeout (asyncpg's, client side) once counted as transient too; it takes the transaction with it.
    "command timeout": ({}, "sleep", {"command_timeout": 1}, "TimeoutError: a command ran past its time limit"),
    # Cut off mid-query by the handler timeout: the transaction is lost as well (it once crashed the worker).
    "handler timeout": ({}, "sleep", {}, "HandlerTimedOut: claimstream.example.work-requested.v1 took over 0.5 s"),
}


@pytest.mark.parametrize("stall", sorted(STALLS))
async def test_an_event_whose_work_always_times_out_is_dead_lettered_after_its_attempts_and_those_behind_it_apply(
    stack: StackUnderTest, schema: str, sessionmaker: async_sessionmaker[AsyncSession], stall: str
) -> None:
    handler_options, hold, connect, reason = STALLS[stall]
    engine = create_async_engine(
        stack.database_url,
        connect_args={"server_settings": {"search_path": schema}, "command_timeout": 30} | connect,
    )
    tenant = uuid4()
    row = await held_row(sessionmaker, tenant)
    before, after, last = (WorkRequested(tenant_id=tenant, entry_id=uuid4()) for _ in range(3))
    poison = WorkRequested(tenant_id=tenant, entry_id=uuid4(), hold=hold)
    await produce(stack, [(0, before), (0, poison), (0, after), (0, last)])
    calls: list[UUID] = []
    consumer = Consumer(
        name=f"stall-{uuid4().hex[:8]}",
        subscriptions={WorkRequested: handler(tenant, row, calls, **handler_options)},
        sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
        bootstrap_servers=stack.bootstrap_servers,
        max_backoff=0.5,
        handler_timeout=0.5 if stall == "handler timeout" else 30,
        session_timeout_ms=6_000,
    )
    async with sessionmaker() as holder, holder.begin():
        await holder.execute(select(entries.c.id).where(entries.c.id == row).with_for_update())  # the lock holder
        async with running(consumer):
            await until(lambda: _lettered(stack, consumer.name), timeout=90, what="dead letter")
            await until(lambda: _applied(sessionmaker, tenant, 3), timeout=30, what="events behind it applied")
    await engine.dispose()

    [letter] = await _letters(stack, consumer.name)
    assert header(letter, "dlq_kind") == "handler"
    assert header(letter, "dlq_reason") == reason
    assert calls.count(poison.entry_id) == 1 + consumer.max_attempts  # the batch together once, then alone
    async with sessionmaker() as session:
        done = set((await session.execute(select(applied.c.entry_id).where(applied.c.tenant_id == tenant))).scalars())
    assert done == {before.entry_id, after.entry_id, last.entry_id}


async def test_a_partition_stuck_behind_a_lock_holds_back_neither_the_other_partitions_nor_their_offsets(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = uuid4()
    row = await held_row(sessionmaker, tenant)
    stuck = WorkRequested(tenant_id=tenant, entry_id=uuid4(), hold="lock")
    flowing = [WorkRequested(tenant_id=tenant, entry_id=uuid4()) for _ in range(5)]
    calls: list[UUID] = []
    consumer = Consumer(
        name=f"stuck-{uuid4().hex[:8]}",
        subscriptions={WorkRequested: handler(tenant, row, calls)},
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
        session_timeout_ms=6_000,
    )
    holder = sessionmaker()
    await holder.begin()
    await holder.execute(select(entries.c.id).where(entries.c.id == row).with_for_update())
    try:
        await produce(stack, [(0, stuck)] + [(1, event) for event in flowing])
        end = await ends(stack)
        async with running(consumer):
            await until(lambda: _applied(sessionmaker, tenant, 5), timeout=60, what="other partition applied")
            await until(
                lambda: _committed_to(stack, consumer.name, 1, end[1]), timeout=30, what="other partition committed"
            )
            assert stuck.entry_id in calls  # its handler runs, waiting on the lock
            assert (await committed(stack, consumer.name)).get(TopicPartition(TOPIC, 0), -1) < end[0]
            await holder.rollback()  # the lock is released: the stuck partition goes on
            await until(lambda: _applied(sessionmaker, tenant, 6), timeout=30, what="stuck partition applied")
            await until(
                lambda: _committed_to(stack, consumer.name, 0, end[0]), timeout=30, what="stuck partition committed"
            )
    finally:
        await holder.close()


async def _applied(sessionmaker: async_sessionmaker[AsyncSession], tenant: UUID, count: int) -> bool:
    return await count_applied(sessionmaker, tenant) >= count


async def _letters(stack: StackUnderTest, consumer: str) -> list[Any]:
    records = await read_topic(stack.bootstrap_servers, dead_letter_topic(TOPIC))
    return [record for record in records if header(record, "dlq_consumer") == consumer]


async def _lettered(stack: StackUnderTest, consumer: str) -> bool:
    return bool(await _letters(stack, consumer))


async def _committed_to(stack: StackUnderTest, group: str, partition: int, offset: int) -> bool:
    return (await committed(stack, group)).get(TopicPartition(TOPIC, partition), -1) >= offset


async def test_a_connection_killed_under_a_handler_again_and_again_is_waited_out_and_dead_letters_nothing(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The other side of the line: the database going away (here its backend terminated, as a restart does) is no
    failure of the event, however often it happens; only its own work timing out counts."""
    tenant = uuid4()
    row = await held_row(sessionmaker, tenant)
    event = WorkRequested(tenant_id=tenant, entry_id=uuid4(), hold="lock")
    calls: list[UUID] = []
    consumer = Consumer(
        name=f"killed-{uuid4().hex[:8]}",
        subscriptions={WorkRequested: handler(tenant, row, calls)},
        sessionmaker=sessionmaker,
        bootstrap_servers=stack.bootstrap_servers,
        max_backoff=0.2,
        session_timeout_ms=6_000,
    )
    holder = sessionmaker()
    await holder.begin()
    await holder.execute(select(entries.c.id).where(entries.c.id == row).with_for_update())
    try:
        await produce(stack, [(2, event)])
        async with running(consumer):
            for kills in range(1, consumer.max_attempts + 3):
                await until(
                    lambda k=kills: _waiting_on_the_lock(sessionmaker, k, calls), timeout=30, what="handler waiting"
                )
                async with sessionmaker() as session:  # the holder's own transaction sees a snapshot of the activity
                    await session.execute(text(_TERMINATE_WAITERS))
            await holder.rollback()
            await until(lambda: _applied(sessionmaker, tenant, 1), timeout=30, what="event applied")
    finally:
        await holder.close()
    assert await _letters(stack, consumer.name) == []
    assert calls.count(event.entry_id) > consumer.max_attempts + 1


_TERMINATE_WAITERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()"
)


async def _waiting_on_the_lock(sessionmaker: async_sessionmaker[AsyncSession], kills: int, calls: list[UUID]) -> bool:
    async with sessionmaker() as session:
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    return bool(waiting) and len(calls) >= kills
