"""The consumer runtime: decode, dedupe through the inbox, handle, commit the database, then the offset.

Per partition batch, one transaction: the inbox rows and the handlers' effects (and the events they
publish, via the outbox) commit together, and only then is the Kafka offset committed. A crash anywhere
redelivers, and the inbox skips what was already applied. A record that cannot be decoded or validated,
or whose handler keeps failing, goes to `<topic>.dlq` with the reason in headers and the partition keeps
flowing; so does an event whose practice is unknown or another tenant's, before any handler runs (practice_check).
Database outages are retried with backoff, never dead-lettered.

A subscription is a handler of one event, or a batch handler (`batched(handler)`) that takes every fresh event
of a partition batch in a row, in order, so that it can write them with a few statements. If a batch fails for a
reason that is not an outage, it is applied again event by event (a batch of one each), and only the event that
fails goes to the dead-letter topic.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from opentelemetry import trace
from sqlalchemy import String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import telemetry
from claimstream_platform.context import Tenancy, extract_trace
from claimstream_platform.contracts.base import IntegrationEvent
from claimstream_platform.db import UnitOfWork, inbox, is_transient
from claimstream_platform.messaging.dead_letters import DeadLetter, safe_reason, send_dead_letter
from claimstream_platform.messaging.envelope import DecodedEvent, UndecodableEvent, decode
from claimstream_platform.messaging.kafka import new_consumer, new_producer
from claimstream_platform.messaging.practice_check import PracticeCheck
from claimstream_platform.messaging.subscriptions import (
    Batched,
    Delivery,
    Handler,
    batched,
    caused_by,
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
    "batched",
    "caused_by",
    "run_until_stopped",
]

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class HandlerTimedOut(Exception):
    """A handler ran past its limit: treated as a failure of that event (bounded attempts, then the DLQ), so one
    hung call cannot hold its partition, or the poll loop, forever."""


class _HandlerFailed(Exception):
    """A handler failed for a reason that is not an outage: the batch is applied again event by event."""


@dataclass
class Consumer:
    """Runs `subscriptions` (event class -> handler) for one consumer group."""

    name: str
    subscriptions: Mapping[type[IntegrationEvent], Handler | Batched]
    sessionmaker: async_sessionmaker[AsyncSession]
    bootstrap_servers: str
    unit_of_work: type[UnitOfWork] = UnitOfWork  # the service's own, with its repositories
    across_tenants: async_sessionmaker[AsyncSession] | None = None  # for a handler's uow.across_tenants() alone
    batch_size: int = 500
    max_attempts: int = 3
    max_backoff: float = 10.0
    session_timeout_ms: int = 30_000
    handler_timeout: float = 30.0
    practices: PracticeCheck = field(default_factory=PracticeCheck)  # each event's practice is its tenant's
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def topics(self) -> list[str]:
        return sorted({cls.topic for cls in self.subscriptions})

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        consumer = new_consumer(
            self.bootstrap_servers,
            group_id=self.name,
            topics=self.topics,
            max_records=self.batch_size,
            session_timeout_ms=self.session_timeout_ms,
        )
        dead_letters = new_producer(self.bootstrap_servers, client_id=f"{self.name}-dlq")
        await consumer.start()
        await dead_letters.start()
        try:
            while not self._stopping.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
                # Order matters only within a partition, so partitions are applied concurrently, each in
                # its own transaction: the database round trips overlap instead of adding up. Their offsets
                # are then committed together, in one request.
                done = await asyncio.gather(
                    *(
                        self._process_partition(dead_letters, partition, records)
                        for partition, records in batch.items()
                        if records
                    )
                )
                await self._commit(consumer, dict(done))
                await self._record_lag(consumer)
        finally:
            await dead_letters.stop()
            await consumer.stop()

    async def _process_partition(
        self, dead_letters: AIOKafkaProducer, partition: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> tuple[TopicPartition, int]:
        """Apply the partition's records and dead-letter what must be; the offset to commit after them."""
        started = time.perf_counter()
        dead = await self._retry_transient(lambda: self.apply(records))
        for letter in dead:
            await self._dead_letter(dead_letters, letter)
        telemetry.EVENTS_CONSUMED.add(len(records), {"consumer": self.name})
        telemetry.HANDLER_SECONDS.record(time.perf_counter() - started, {"consumer": self.name})
        return partition, records[-1].offset + 1

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except CommitFailedError:
            # A partition moved to another member during a rebalance: it will redeliver, the inbox dedupes.
            log.warning("offset commit lost to a rebalance", extra={"consumer": self.name})

    async def apply(self, records: list[ConsumerRecord[bytes, bytes]]) -> list[DeadLetter]:
        """Apply a batch in one transaction; returns what must go to the dead-letter topic.

        Fast path: every handler in one transaction. If one fails for a non-transient reason, the batch
        is rolled back and applied again record by record, each in a savepoint with bounded attempts.
        """
        decoded, dead = self._decode_all(records)
        decoded, misplaced = await self.practices.split(self.sessionmaker, decoded)
        dead += misplaced
        try:
            await self._apply_together(decoded)
            return dead
        except _HandlerFailed:
            return dead + await self._apply_one_by_one(decoded)

    def _decode_all(
        self, records: list[ConsumerRecord[bytes, bytes]]
    ) -> tuple[list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]], list[DeadLetter]]:
        decoded, dead = [], []
        for record in records:
            try:
                item = decode(record.key, record.value, list(record.headers))
            except UndecodableEvent as error:
                dead.append(DeadLetter(record, "decode", error.reason))
                continue
            if type(item.event) in self.subscriptions:
                decoded.append((record, item))
        return decoded, dead

    async def _apply_together(self, decoded: list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]]) -> None:
        async with self.unit_of_work(self.sessionmaker, across_tenants=self.across_tenants) as uow:
            fresh = await self._claim(uow.session, [item.metadata.event_id for _, item in decoded])
            items = [item for _, item in decoded if take(fresh, item.metadata.event_id)]
            for run in runs(items, self.subscriptions):
                try:
                    await self._handle(run, uow)
                except Exception as error:
                    if is_transient(error):
                        raise
                    raise _HandlerFailed() from error
            await uow.commit()

    async def _apply_one_by_one(
        self, decoded: list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]]
    ) -> list[DeadLetter]:
        dead = []
        async with self.unit_of_work(self.sessionmaker, across_tenants=self.across_tenants) as uow:
            fresh = await self._claim(uow.session, [item.metadata.event_id for _, item in decoded])
            for record, item in decoded:
                if not take(fresh, item.metadata.event_id):
                    continue
                error = await self._attempt(item, uow)
                if error is not None:
                    # Forget the inbox row so a redelivery (after a crash before the DLQ send) tries again.
                    await uow.session.execute(
                        delete(inbox).where(inbox.c.consumer == self.name, inbox.c.event_id == item.metadata.event_id)
                    )
                    dead.append(DeadLetter(record, "handler", safe_reason(error)))
            await uow.commit()
        return dead

    async def _attempt(self, item: DecodedEvent, uow: UnitOfWork) -> BaseException | None:
        error: BaseException | None = None
        for _ in range(self.max_attempts):
            try:
                async with uow.savepoint():
                    await self._handle([item], uow)
                    await uow.flush_events()
                return None
            except Exception as failure:
                if is_transient(failure):
                    raise
                error = failure
        return error

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

    async def _claim(self, session: AsyncSession, event_ids: list[Any]) -> set[Any]:
        """Insert inbox rows; returns the ids not processed before (the others are duplicates)."""
        if not event_ids:
            return set()
        result = await session.execute(_CLAIM, {"consumer": self.name, "event_ids": event_ids})
        fresh = set(result.scalars())
        duplicates = len(event_ids) - len(fresh)
        if duplicates:
            telemetry.DUPLICATES_SKIPPED.add(duplicates, {"consumer": self.name})
        return fresh

    async def _retry_transient(self, work: Callable[[], Awaitable[list[DeadLetter]]]) -> list[DeadLetter]:
        backoff = 0.2
        while True:
            try:
                return await work()
            except Exception as error:
                if self._stopping.is_set() or not is_transient(error):
                    raise
                log.warning(
                    "consumer waiting for the database", extra={"consumer": self.name, "error": type(error).__name__}
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    async def _dead_letter(self, producer: AIOKafkaProducer, letter: DeadLetter) -> None:
        await send_dead_letter(
            producer, letter, consumer=self.name, stopping=self._stopping, max_backoff=self.max_backoff
        )

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            position = await consumer.position(partition) if highwater is not None else None
            if highwater is not None and position is not None:
                telemetry.set_lag(self.name, partition.topic, partition.partition, highwater - position)


# One statement for any number of ids (an array parameter, unnested), compiled once: a multi-row VALUES would be
# compiled anew for every batch size, and compiling cost more than the insert.
_CLAIM = (
    insert(inbox)
    .from_select(
        ["consumer", "event_id"],
        select(bindparam("consumer", type_=String), func.unnest(bindparam("event_ids", type_=ARRAY(PgUUID)))),
    )
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)
