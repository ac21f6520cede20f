"""Batch handlers: a partition batch's fresh events in one call, in order; a poison event isolated by falling back
to one event at a time; the events a batch publishes caused by the event each came from. On real PostgreSQL."""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from aiokafka import ConsumerRecord
from claimstream_platform.db import UnitOfWork, outbox
from claimstream_platform.errors import RuleViolation
from claimstream_platform.messaging.consumer import Consumer, Delivery, batched, caused_by
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from example.service import TOPIC, EntryRecorded, applied
from sqlalchemy import func, insert, select


def record(offset: int, amount: str, tenant: UUID) -> tuple[ConsumerRecord[bytes, bytes], UUID]:
    event_id = uuid4()
    event = EntryRecorded(tenant_id=tenant, entry_id=uuid4(), amount=Decimal(amount))
    message = encode_event(event, EventMetadata(event_id, "test", datetime.now(UTC), correlation_id=uuid4()))
    headers = [(k, v) for k, v in message.headers.items()]
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, message.key, message.value, None, 0, 0, headers), event_id


class Recorder:
    """A batch handler that writes a run with one multi-row insert and refuses a negative amount."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    async def __call__(self, deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
        self.calls.append(len(deliveries))
        if any(d.event.amount < 0 for d in deliveries):  # type: ignore[attr-defined]
            raise RuleViolation("an entry cannot be negative")
        rows = [
            {"entry_id": d.event.entry_id, "tenant_id": d.event.tenant_id, "amount": d.event.amount}  # type: ignore[attr-defined]
            for d in deliveries
        ]
        await uow.session.execute(insert(applied), rows)
        for delivery in deliveries:
            with caused_by(delivery):
                uow.publish(delivery.event)  # an effect of each event, caused by it


def consumer(sessionmaker, handler: Recorder) -> Consumer:  # type: ignore[no-untyped-def]
    return Consumer(
        name=f"batch-{uuid4().hex[:6]}",
        subscriptions={EntryRecorded: batched(handler)},
        sessionmaker=sessionmaker,
        bootstrap_servers="unused:1",
    )


async def test_a_batch_is_one_call_and_its_effects_are_caused_by_each_event(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    tenant, handler = uuid4(), Recorder()
    records = [record(n, "2.00", tenant) for n in range(5)]
    dead = await consumer(sessionmaker, handler).apply([r for r, _ in records])
    assert dead == [] and handler.calls == [5]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(applied)) == 5
        causes = list(await session.scalars(select(outbox.c.causation_id).order_by(outbox.c.seq)))
    assert causes == [event_id for _, event_id in records]


async def test_a_poison_event_in_a_batch_is_isolated_and_the_rest_apply_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    tenant, handler = uuid4(), Recorder()
    records = [record(n, "-1.00" if n == 3 else "2.00", tenant) for n in range(6)]
    batch = consumer(sessionmaker, handler)
    dead = await batch.apply([r for r, _ in records])
    assert [(letter.record.offset, letter.kind) for letter in dead] == [(3, "handler")]
    assert handler.calls[0] == 6 and handler.calls[1:] == [1, 1, 1, 1, 1, 1, 1, 1]  # the poison tried 3 times
    again = await batch.apply([r for r, _ in records])  # redelivered: the inbox skips what was applied
    assert [letter.record.offset for letter in again] == [3]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(applied)) == 5


async def test_a_batch_of_two_tenants_interleaved_is_one_call_per_tenant_each_in_the_order_delivered(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    first, second = uuid4(), uuid4()
    records = [record(n, "1.00", first if n % 2 else second) for n in range(6)]
    calls: list[list[UUID]] = []

    async def note(deliveries: Sequence[Delivery], _uow: UnitOfWork) -> None:
        calls.append([d.metadata.event_id for d in deliveries])

    handler = Consumer(
        name=f"tenants-{uuid4().hex[:6]}",
        subscriptions={EntryRecorded: batched(note)},
        sessionmaker=sessionmaker,
        bootstrap_servers="unused:1",
    )
    assert await handler.apply([r for r, _ in records]) == []
    delivered = [event_id for _, event_id in records]
    assert sorted(calls) == sorted([delivered[1::2], delivered[0::2]])
