"""The consumer runtime: decode, dedupe through the inbox, handle, commit the database, then the offset.

Per partition batch, one transaction: the inbox rows and the handlers' effects (and the events they publish, via the
outbox) commit together; the Kafka offset is committed after it, with the others', within a second or two. A crash
anywhere redelivers, and the inbox skips what was applied. A record that cannot be decoded or validated, or whose
handler keeps failing, goes to `<topic>.dlq` with the reason in headers and the partition keeps flowing; so does an
event whose practice is unknown or another tenant's (practice_check).

Each partition works on its own (messaging/partitions.py), paused until its batch is applied and a moment more (order
within it is kept), while the others flow; `together`, one poll's records of all partitions are one batch. The
database being down, or a batch losing a race (a deadlock), is waited out however long and never dead-letters anything;
an event whose work keeps timing out or hitting a resource limit is tried `max_attempts` times, spaced, then
dead-lettered with the reason (messaging/failures.py says which failure is which).

A subscription is a handler of one event, or a batch handler (`batched(handler)`) that takes a batch's fresh events of
one tenant in a row, in order (`runs`), to write them with a few statements. The advisory locks the handlers name ahead
(`locks`) are taken for the whole batch first, in one order. If a batch fails for a reason that is not an outage, it is
applied again event by event, and only the event that fails goes to the dead-letter topic.
"""

import asyncio
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer, ConsumerRecord
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import faults, telemetry
from claimstream_platform.context import Tenancy, extract_trace
from claimstream_platform.contracts.base import IntegrationEvent
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import is_transient
from claimstream_platform.messaging.dead_letters import DeadLetter, safe_reason, send_dead_letter
from claimstream_platform.messaging.envelope import DecodedEvent
from claimstream_platform.messaging.failures import (
    DatabaseUnreachable,
    HandlerTimedOut,
    Tries,
    backoff,
    database_answers,
    is_contention,
    may_be_outage,
    not_the_events_fault,
    transaction_usable,
    worth_waiting,
)
from claimstream_platform.messaging.inbox import claim, forget
from claimstream_platform.messaging.kafka import new_consumer, new_producer, stop_client
from claimstream_platform.messaging.partitions import GATHER_SECONDS, PartitionWork
from claimstream_platform.messaging.practice_check import PracticeCheck
from claimstream_platform.messaging.subscriptions import (
    Batched,
    Delivery,
    Handler,
    Locks,
    batched,
    caused_by,
    decode_subscribed,
    lock_names,
    runs,
    take,
)
from claimstream_platform.messaging.workers import run_until_stopped

__all__ = [
    "Batched",
    "Consumer",
    "DeadLetter",
    "Delivery",
    "Handler",
    "HandlerTimedOut",
    "Locks",
    "batched",
    "caused_by",
    "run_until_stopped",
]

log = logging.getLogger(__name__)
# The poll loop's longest wait for records (records wake it at once): how soon a stop, a failed batch, the lag gauge
# and the offsets due are seen. Five a second cost an idle consumer a few tenths of a percent of a core.
POLL_MS = 1_000
tracer = trace.get_tracer(__name__)


class _HandlerFailed(Exception):
    """A handler failed for a reason that is not an outage: the batch is applied again event by event."""


class _TransactionLost(Exception):
    """An event's failed attempt took the transaction with it (a command cut off by a timeout): the attempt is
    counted and the batch goes again in a new transaction, after `wait` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__()
        self.wait = wait


@dataclass
class Consumer:
    """Runs `subscriptions` (event class -> handler) for one consumer group."""

    name: str
    subscriptions: Mapping[type[IntegrationEvent], Handler | Batched]
    sessionmaker: async_sessionmaker[AsyncSession]
    bootstrap_servers: str
    unit_of_work: type[UnitOfWork] = UnitOfWork  # the service's own, with its repositories
    across_tenants: async_sessionmaker[AsyncSession] | None = None  # for a handler's uow.across_tenants() alone
    locks: Locks = field(default_factory=dict)  # the advisory locks its handlers take: held for a whole batch first
    batch_size: int = 500
    max_attempts: int = 3
    max_backoff: float = 10.0
    session_timeout_ms: int = 30_000
    handler_timeout: float = 30.0
    together: bool = False  # one batch of all partitions at a time (messaging/partitions.py)
    gather_seconds: float = GATHER_SECONDS  # a partition's rest after its batch (messaging/partitions.py)
    practices: PracticeCheck = field(default_factory=PracticeCheck)  # each event's practice is its tenant's
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _dead_letters: AIOKafkaProducer = field(init=False)

    @property
    def topics(self) -> list[str]:
        return sorted({cls.topic for cls in self.subscriptions})

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        settle, rest = self.session_timeout_ms / 3000, self.gather_seconds
        work = PartitionWork(
            self.name, self._process_batch, settle_seconds=settle, together=self.together, gather_seconds=rest
        )
        consumer = new_consumer(
            self.bootstrap_servers,
            group_id=self.name,
            topics=self.topics,
            listener=work,
            max_records=self.batch_size,
            session_timeout_ms=self.session_timeout_ms,
        )
        work.attach(consumer, max_records=self.batch_size)
        self._dead_letters = new_producer(self.bootstrap_servers, client_id=f"{self.name}-dlq")
        try:  # started inside: a start that fails leaves no client behind (a consumer would hold its partitions)
            await self._dead_letters.start()
            await consumer.start()
            while not self._stopping.is_set():
                batch = await consumer.getmany(timeout_ms=POLL_MS, max_records=self.batch_size)
                work.start(batch)
                await work.commit_due()
                await work.record_lag()
        finally:
            try:
                await work.stop()  # a crash: whatever still runs is cancelled, to be applied again
            finally:
                try:
                    await stop_client(self._dead_letters)
                finally:
                    await stop_client(consumer)  # leaves the group even when the stop is cancelled

    async def _process_batch(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Apply a batch's records and dead-letter what must be."""
        started = time.perf_counter()
        dead = await self._until_applied(records)
        for letter in dead:
            await self._dead_letter(self._dead_letters, letter)
        telemetry.EVENTS_CONSUMED.add(len(records), {"consumer": self.name})
        telemetry.HANDLER_SECONDS.record(time.perf_counter() - started, {"consumer": self.name})

    async def apply(self, records: list[ConsumerRecord[bytes, bytes]], tries: Tries | None = None) -> list[DeadLetter]:
        """Apply a batch in one transaction; returns what must go to the dead-letter topic. A handler failing for a
        reason that is not an outage rolls it back, and it goes again record by record, each in a savepoint with
        bounded attempts. An outage raises (`engines.is_transient`): the caller calls again with the same `tries`."""
        tries = tries or Tries()
        decoded, dead = decode_subscribed(records, self.subscriptions)
        decoded, misplaced = await self.practices.split(self.sessionmaker, decoded)
        dead += misplaced
        if not tries.one_by_one:
            try:
                await self._apply_together(decoded)
                return dead
            except _HandlerFailed:
                tries.one_by_one = True
        while True:
            try:
                return dead + await self._apply_one_by_one(decoded, tries)
            except _TransactionLost as lost:
                await asyncio.sleep(lost.wait)

    async def _apply_together(self, decoded: list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]]) -> None:
        tenancy = Tenancy.shared_by(item.event.tenant_id for _, item in decoded)  # one tenant's: said with BEGIN
        async with self.unit_of_work(self.sessionmaker, tenancy, across_tenants=self.across_tenants) as uow:
            names = lock_names((item for _, item in decoded), self.locks)  # those delivered again too: harmless
            fresh = await claim(uow.session, self.name, [item.metadata.event_id for _, item in decoded], names)
            items = [item for _, item in decoded if take(fresh, item.metadata.event_id)]
            for run in runs(items, self.subscriptions):
                try:
                    await self._handle(run, uow)
                except Exception as error:
                    if not_the_events_fault(error):
                        raise
                    raise _HandlerFailed() from error
            await faults.point(faults.CONSUMER_BEFORE_COMMIT)
            await uow.commit()

    async def _apply_one_by_one(
        self, decoded: list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]], tries: Tries
    ) -> list[DeadLetter]:
        dead = []
        async with self.unit_of_work(self.sessionmaker, across_tenants=self.across_tenants) as uow:
            names = lock_names((item for _, item in decoded), self.locks)  # those delivered again too: harmless
            fresh = await claim(uow.session, self.name, [item.metadata.event_id for _, item in decoded], names)
            todo = [(record, item) for record, item in decoded if take(fresh, item.metadata.event_id)]
            for record, item in todo:
                error = tries.given_up(item.metadata.event_id, self.max_attempts) or await self._attempt(
                    item, uow, tries
                )
                if error is not None:
                    # Forget the inbox row so a redelivery (after a crash before the DLQ send) tries again.
                    await forget(uow.session, self.name, item.metadata.event_id)
                    dead.append(DeadLetter(record, "handler", safe_reason(error)))
            await faults.point(faults.CONSUMER_BEFORE_COMMIT)
            await uow.commit()
        return dead

    async def _attempt(self, item: DecodedEvent, uow: UnitOfWork, tries: Tries) -> BaseException | None:
        """Attempts in savepoints until one succeeds (None) or the event has failed `max_attempts` times (its
        last error). Attempts that failed for a reason that may pass (a timeout, a lock) are spaced out."""
        while True:
            try:
                async with uow.savepoint():
                    await self._handle([item], uow)
                    await uow.flush_events()
                return None
            except Exception as failure:
                await self._blame(failure)
                failed = tries.failed(item.metadata.event_id, failure)
                wait = backoff(failed, self.max_backoff) if worth_waiting(failure) else 0.0
                if not await transaction_usable(uow.session):
                    raise _TransactionLost(wait) from failure
                if failed >= self.max_attempts:
                    return failure
                await asyncio.sleep(wait)

    async def _blame(self, failure: Exception) -> None:
        """Raise when the failure is not the event's: an outage or a lost race is waited out, never counted."""
        if not_the_events_fault(failure):
            raise failure
        if may_be_outage(failure) and not await database_answers(self.sessionmaker):
            raise DatabaseUnreachable("a handler timed out and the database does not answer") from failure

    async def _handle(self, run: Sequence[DecodedEvent], uow: UnitOfWork) -> None:
        """One event, or a run of events for one batch handler (traced as the first one's trace)."""
        first = run[0]
        subscription = self.subscriptions[type(first.event)]
        await uow.act_for(Tenancy.of(first.event.tenant_id))  # row-level security: a run is one tenant's
        with (
            caused_by(first),
            tracer.start_as_current_span(
                f"consume {first.event.event_type}",
                context=extract_trace(first.metadata.traceparent),
                kind=trace.SpanKind.CONSUMER,
                attributes={"messaging.consumer.group.name": self.name, "messaging.batch.message_count": len(run)},
            ),
        ):
            limit = asyncio.timeout(self.handler_timeout)
            try:
                async with limit:
                    if isinstance(subscription, Batched):
                        await subscription.handler(run, uow)
                    else:
                        await subscription(first.event, uow)
            except TimeoutError as error:
                if limit.expired():
                    raise HandlerTimedOut(f"{first.event.event_type} took over {self.handler_timeout} s") from error
                raise

    async def _until_applied(self, records: list[ConsumerRecord[bytes, bytes]]) -> list[DeadLetter]:
        """Apply the batch, waiting out the database as long as it takes: an outage, or a failure of the batch's
        own bookkeeping that may pass (`engines.is_transient`), is nothing to blame on one event."""
        tries, waited = Tries(), 0
        while True:
            try:
                return await self.apply(records, tries)
            except Exception as error:
                if self._stopping.is_set() or not is_transient(error):
                    raise
                log.warning(
                    "consumer waiting for the database", extra={"consumer": self.name, "error": type(error).__name__}
                )
                waited += 1
                first = 0.02 if is_contention(error) else 0.2  # a lost race is run again soon, an outage waited out
                await asyncio.sleep(backoff(waited, self.max_backoff, first) * random.uniform(0.5, 1.0))

    async def _dead_letter(self, producer: AIOKafkaProducer, letter: DeadLetter) -> None:
        await send_dead_letter(
            producer, letter, consumer=self.name, stopping=self._stopping, max_backoff=self.max_backoff
        )
