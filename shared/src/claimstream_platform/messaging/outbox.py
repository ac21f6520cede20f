"""The outbox relay: publishes pending outbox rows to Kafka, then marks them sent.

At-least-once: a crash after the broker acknowledged a batch but before the rows were marked re-sends
that batch, and consumers' inboxes absorb the copies. A transaction-scoped advisory lock lets only one
relay of a service publish at a time, which keeps each aggregate's events in commit order even when
several replicas run.

A row Kafka will never take (larger than the broker accepts, its topic gone after a metadata refresh, a payload
that cannot be encoded) is quarantined: marked with the time and the reason (`quarantined_at`,
`quarantine_reason`) and left aside, while the rows behind it publish. A broker that is down or slow is waited
for, every row kept. The rows of the same aggregate behind a quarantined one are published: the consumers apply
events of one aggregate in order, and a quarantined event comes later when an operator sends it again (clears its
`quarantined_at` once the cause is fixed); holding every later event of the aggregate would turn one bad row back
into a stall. The count of quarantined rows is the `claimstream.outbox.quarantined` metric.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    UnknownTopicOrPartitionError,
)
from sqlalchemy import Select, bindparam, func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import faults, telemetry
from claimstream_platform.bundling import first_with_begin, last_with_commit
from claimstream_platform.db import outbox
from claimstream_platform.locks import advisory_lock_id
from claimstream_platform.many_rows import one_of
from claimstream_platform.messaging.envelope import EventMetadata, encode
from claimstream_platform.messaging.kafka import new_producer, stop_client
from claimstream_platform.messaging.wakeup import Wakeup

log = logging.getLogger(__name__)
BACKLOG_EVERY = 5.0  # seconds between outbox backlog measurements
# What a broker refuses for good, whenever it is asked: waiting would hold every row behind it.
_NEVER_TAKEN = (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError, InvalidTopicError)


@dataclass
class OutboxRelay:
    sessionmaker: async_sessionmaker[AsyncSession]
    bootstrap_servers: str
    source: str
    batch_size: int = 500
    idle_wait: float = 0.05
    max_backoff: float = 5.0
    wakeup: Wakeup | None = None  # woken by the commits that write rows; idle, it polls every `idle_fallback` s
    idle_fallback: float = 5.0  # a row no commit announced (a notification lost with a connection)
    gather: float = 0.0  # after a wakeup, seconds the commits of the next moment have to join its pass (settings)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        """Publish until stop() is called; broker or database outages are waited out, never dropped."""
        producer: AIOKafkaProducer | None = None
        backoff = 0.1
        measured_at = 0.0
        try:
            while not self._stopping.is_set():
                try:
                    if producer is None:
                        producer = new_producer(self.bootstrap_servers, client_id=f"{self.source}-relay")
                        await producer.start()
                    sent = await self.publish_batch(producer)
                    backoff = 0.1
                    if time.monotonic() - measured_at > BACKLOG_EVERY:
                        await self._measure_backlog()
                        measured_at = time.monotonic()
                    if sent < self.batch_size:  # the table read to its end: the next commit that writes rows wakes it
                        await self._idle()
                except (TimeoutError, KafkaError, OSError) as error:
                    log.warning("outbox relay waiting for Kafka", extra={"error": type(error).__name__})
                    await _discard(producer)
                    producer = None
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                except Exception as error:  # database unavailable: wait and retry
                    log.warning("outbox relay waiting for the database", extra={"error": type(error).__name__})
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
        finally:
            await _discard(producer)
            if self.wakeup is not None:
                await self.wakeup.close()

    def stop(self) -> None:
        self._stopping.set()

    async def _measure_backlog(self) -> None:
        async with self.sessionmaker() as session:
            pending, quarantined = (await session.execute(_COUNTS)).one()
        telemetry.set_outbox_backlog(self.source, pending, quarantined)

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """One transaction: lock, read pending rows in order, publish and await every ack, mark sent (or
        quarantined). Returns how many rows left the pending list; raises while Kafka is unavailable."""
        async with self.sessionmaker() as session, session.begin():
            await take_turn(session, self.source)
            rows = (await session.execute(_pending(self.batch_size))).all()  # none unless it is our turn
            if not rows:
                return 0
            refused = await self._publish(producer, rows)
            await faults.point(faults.OUTBOX_ACKED)
            await self.mark_sent(session, [row.seq for row in rows if row.seq not in refused])
            await _quarantine(session, [row for row in rows if row.seq in refused], refused)
        telemetry.EVENTS_PRODUCED.add(len(rows) - len(refused), {"service": self.source})
        return len(rows)

    async def _publish(self, producer: AIOKafkaProducer, rows: Sequence[Any]) -> dict[int, str]:
        """Send every row and await every ack; returns the rows Kafka will never take, each with the reason."""
        refused: dict[int, str] = {}
        gone: dict[str, str] = {}  # topics found missing: each waits out the client's metadata timeout once
        acks = []
        for row in rows:
            if row.topic in gone:
                refused[row.seq] = gone[row.topic]
                continue
            try:
                value, headers = self._message(row)
            except Exception as error:  # a stored payload or header the envelope cannot carry
                refused[row.seq] = f"cannot be encoded: {type(error).__name__}"
                continue
            try:
                ack = await producer.send(row.topic, value=value, key=row.key.encode(), headers=headers)
            except KafkaError as error:
                refused[row.seq] = await _refusal(producer, row.topic, error)
                if isinstance(error, UnknownTopicOrPartitionError):
                    gone[row.topic] = refused[row.seq]
                continue
            acks.append((row, ack))
        results = await asyncio.gather(*(ack for _, ack in acks), return_exceptions=True)
        for (row, _), result in zip(acks, results, strict=True):
            if isinstance(result, BaseException):
                refused[row.seq] = await _refusal(producer, row.topic, result)
        return refused

    def _message(self, row: Any) -> tuple[str | bytes, list[tuple[str, bytes]]]:
        """The row as a record's value and headers."""
        message = encode(
            event_type=row.event_type,
            subject=row.subject,
            key=row.key,
            payload=row.payload,
            tenant_id=row.tenant_id,
            practice_id=row.practice_id,
            metadata=EventMetadata(
                event_id=row.event_id,
                source=self.source,
                time=row.created_at,
                correlation_id=row.correlation_id,
                causation_id=row.causation_id,
                traceparent=row.traceparent,
            ),
        )
        return message.value, list(message.headers.items())

    async def mark_sent(self, session: AsyncSession, seqs: list[int]) -> None:
        """Said with the transaction's COMMIT (`bundling`): the rows are sent once the commit is."""
        if seqs:
            listed = ",".join(str(int(seq)) for seq in seqs)  # integers: nothing in them can end the literal
            statement = f"UPDATE outbox SET sent_at = now() WHERE seq = ANY('{{{listed}}}');"
            now = update(outbox).where(one_of(outbox.c.seq, seqs)).values(sent_at=text("now()"))
            await last_with_commit(session, statement, now=(now, {}))

    async def _idle(self) -> None:
        if self.wakeup is None:
            await self._sleep(self.idle_wait)
        else:
            await self.wakeup.wait(self.idle_fallback, self._stopping, self.gather)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass


async def take_turn(session: AsyncSession, source: str) -> None:
    """Try for the service's relay turn (a transaction-scoped advisory lock), said with the transaction's BEGIN: the
    answer is kept as a setting of the transaction, which `_PENDING` reads, so a relay that did not get the turn
    reads no rows. The read is a statement after the try, so its snapshot (READ COMMITTED, the relay's: one a
    statement) sees what the last turn committed."""
    statement = _turn(source)
    connection = (await session.connection()).sync_connection
    if connection is None or not first_with_begin(connection, statement):
        await session.execute(text(statement))


@cache  # built once per service: a pass would hash the name anew
def _turn(source: str) -> str:
    """The try for the turn, and the read's plan: a plain index scan of the pending rows' partial index, in order. It
    marks the entries of rows already sent (dead until vacuumed) as it passes them, so the next read skips them; the
    bitmap scan the planner picks for the few rows it expects never marks them, and after a burst every read walked
    tens of thousands of them until autovacuum came (2.3 ms a read with 40,000, then 0.1 ms once passed). (The mark
    leaves such entries because it is no HOT update: `sent_at` is in an index, `ix_outbox_sent_at`.)"""
    lock_id = advisory_lock_id(f"outbox:{source}")  # an integer: nothing in it can end the statement
    turn = f"set_config('{_TURN}', pg_try_advisory_xact_lock({lock_id})::text, true)"
    return f"SELECT {turn}, set_config('enable_bitmapscan', 'off', true);"


@cache  # built once per batch size: a pass would build the statement anew
def _pending(limit: int) -> Select[Any]:
    return _PENDING.limit(limit)


async def pending_count(session: AsyncSession) -> int:
    """Rows waiting to be published (the quarantined ones wait for an operator, not for the relay)."""
    pending, _ = (await session.execute(_COUNTS)).one()
    return int(pending)


async def quarantined_count(session: AsyncSession) -> int:
    _, quarantined = (await session.execute(_COUNTS)).one()
    return int(quarantined)


async def _refusal(producer: AIOKafkaProducer, topic: str, error: BaseException) -> str:
    """The reason a row will never be taken, or the error raised again: Kafka is unavailable, wait for it. A topic
    unknown to the client is gone only if the broker answers a metadata refresh without it (a broker that does not
    answer leaves every topic unknown)."""
    if isinstance(error, _NEVER_TAKEN):
        return f"{type(error).__name__}: refused by Kafka"
    if isinstance(error, UnknownTopicOrPartitionError):
        answered = await producer.client.force_metadata_update()
        if answered and topic not in producer.client.cluster.topics():
            return f"{type(error).__name__}: the topic does not exist"
    raise error


async def _quarantine(session: AsyncSession, rows: Sequence[Any], reasons: dict[int, str]) -> None:
    for row in rows:
        log.error(
            "outbox row quarantined",
            extra={"seq": row.seq, "topic": row.topic, "event_type": row.event_type, "reason": reasons[row.seq]},
        )
    if rows:
        await session.execute(
            update(outbox)
            .where(outbox.c.seq == bindparam("row_seq"))
            .values(quarantined_at=text("now()"), quarantine_reason=bindparam("reason")),
            [{"row_seq": row.seq, "reason": reasons[row.seq][:300]} for row in rows],
        )


def add_quarantine_columns(connection: Connection) -> None:
    """For each service's migration that brings an existing outbox up to date (a new one has the columns already:
    `create_platform_tables` creates the outbox as `db.outbox` describes it)."""
    connection.execute(
        text(
            "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS quarantined_at timestamptz,"
            " ADD COLUMN IF NOT EXISTS quarantine_reason varchar(300)"
        )
    )


_TURN = "claimstream.relay_turn"
_PENDING = (
    select(outbox)
    .where(func.current_setting(_TURN, True) == "true")
    .where(outbox.c.sent_at.is_(None), outbox.c.quarantined_at.is_(None))
    .order_by(outbox.c.seq)
)
_COUNTS = text(
    "SELECT count(*) FILTER (WHERE quarantined_at IS NULL), count(*) FILTER (WHERE quarantined_at IS NOT NULL)"
    " FROM outbox WHERE sent_at IS NULL"
)


async def _discard(producer: AIOKafkaProducer | None) -> None:
    if producer is not None:  # a producer that cannot flush is dropped; its rows stay pending
        await stop_client(producer)
