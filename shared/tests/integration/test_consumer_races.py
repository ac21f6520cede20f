"""Issue 28: a deadlock or a serialization failure is a lost race, not the event's fault (messaging/failures.py): the
batch goes again, however often, and nothing is dead-lettered. On the stall tests' topic and helpers. Issue 33: two
batches that name the same locks in another order do not race at all when the handlers name their locks ahead."""

import asyncio
from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4

from aiokafka.structs import ConsumerRecord
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork
from claimstream_platform.locks import advisory_lock_id, hold_names
from claimstream_platform.messaging.consumer import Consumer
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.failures import is_contention
from claimstream_platform.messaging.subscriptions import Locks
from example.service import applied
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from integration.test_consumer_stalls import TOPIC, WorkRequested, _applied, _letters, produce, running, topic, until

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


class PatientSeen(IntegrationEvent):
    """An event whose handler locks its patient (as patient billing locks her account), then works a while."""

    event_type: ClassVar[str] = "claimstream.example.patient-seen.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "patient"

    patient: str


async def test_two_batches_naming_the_same_patients_in_another_order_wait_for_each_other_and_never_deadlock(
    stack: StackUnderTest, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Two partitions' batches meet a patient's two visits in opposite orders. Locking as each event comes, each
    batch holds one patient and waits for the other's: PostgreSQL kills one (this happened hundreds of times a minute
    at 50 encounters/s). Named ahead (`locks`), both batches lock both patients at once, in one order."""
    tenant = uuid4()
    names = {PatientSeen: lambda event: [f"races-test:{tenant}:{event.patient}"]}

    async def visit(event: PatientSeen, uow: UnitOfWork) -> None:
        await hold_names(uow, names[PatientSeen](event))
        await asyncio.sleep(0.5)  # the other batch takes its first patient meanwhile

    async def both_batches(locks: Locks) -> list[BaseException | list[object]]:
        consumer = Consumer(f"races-{uuid4().hex[:8]}", {PatientSeen: visit}, sessionmaker, stack.bootstrap_servers)
        consumer.locks = locks
        one, other = ([_seen(tenant, patient) for patient in order] for order in (["a", "b"], ["b", "a"]))
        return list(await asyncio.gather(consumer.apply(one), consumer.apply(other), return_exceptions=True))

    unnamed = await both_batches({})
    assert any(isinstance(outcome, Exception) and is_contention(outcome) for outcome in unnamed), unnamed
    assert await both_batches(names) == [[], []]


async def test_a_batch_takes_its_named_locks_in_the_statement_that_claims_its_events(
    stack: StackUnderTest, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The locks come first, in the inbox's claim (a round trip fewer a batch), and are held while the handlers run;
    a batch delivered again takes them as well, and applies nothing."""
    tenant = uuid4()
    name = f"races-test:{tenant}:a"
    free_meanwhile: list[bool] = []

    async def visit(_event: PatientSeen, _uow: UnitOfWork) -> None:
        async with sessionmaker() as other, other.begin():  # another connection
            free = text("SELECT pg_try_advisory_xact_lock_shared(:id)")
            free_meanwhile.append(bool(await other.scalar(free, {"id": advisory_lock_id(name)})))

    consumer = Consumer(f"races-{uuid4().hex[:8]}", {PatientSeen: visit}, sessionmaker, stack.bootstrap_servers)
    consumer.locks = {PatientSeen: lambda _: [name]}
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    batch = [_seen(tenant, "a")]

    assert await consumer.apply(batch) == [] and await consumer.apply(batch) == []
    assert free_meanwhile == [False]  # held by the batch while its handler ran; the second applied nothing
    taking = [statement for statement in sent if "pg_advisory_xact_lock(" in statement]
    assert len(taking) == 2 and all("INSERT INTO inbox" in statement for statement in taking)


def _seen(tenant: UUID, patient: str) -> ConsumerRecord[bytes, bytes]:
    metadata = EventMetadata(event_id=uuid4(), source="test", time=datetime.now(UTC), correlation_id=uuid4())
    message = encode_event(PatientSeen(tenant_id=tenant, patient=patient), metadata)
    headers = list(message.headers.items())
    return ConsumerRecord(TOPIC, 0, 0, 0, 0, message.key, message.value, None, 0, len(message.value), headers)
