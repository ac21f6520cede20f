"""The outbox relay: publishes pending outbox rows to Kafka, then marks them sent.

At-least-once: a crash after the broker acknowledged a batch but before the rows were marked re-sends
that batch, and consumers' inboxes absorb the copies. A transaction-scoped advisory lock lets only one
relay of a service publish at a time, which keeps each aggregate's events in commit order even when
several replicas run.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import telemetry
from claimstream_platform.db import outbox
from claimstream_platform.locks import advisory_lock_id
from claimstream_platform.messaging.envelope import EventMetadata, encode
from claimstream_platform.messaging.kafka import new_producer

log = logging.getLogger(__name__)
BACKLOG_EVERY = 5.0  # seconds between outbox backlog measurements


@dataclass
class OutboxRelay:
    sessionmaker: async_sessionmaker[AsyncSession]
    bootstrap_servers: str
    source: str
    batch_size: int = 500
    idle_wait: float = 0.05
    max_backoff: float = 5.0
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
                    if sent == 0:
                        await self._sleep(self.idle_wait)
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

    def stop(self) -> None:
        self._stopping.set()

    async def _measure_backlog(self) -> None:
        async with self.sessionmaker() as session:
            telemetry.set_outbox_backlog(self.source, await pending_count(session))

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """One transaction: lock, read pending rows in order, publish and await every ack, mark sent."""
        async with self.sessionmaker() as session, session.begin():
            locked = await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": advisory_lock_id(f"outbox:{self.source}")}
            )
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(outbox).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.seq).limit(self.batch_size)
                )
            ).all()
            if not rows:
                return 0
            await self._publish(producer, rows)
            await self.mark_sent(session, [row.seq for row in rows])
        telemetry.EVENTS_PRODUCED.add(len(rows), {"service": self.source})
        return len(rows)

    async def _publish(self, producer: AIOKafkaProducer, rows: Sequence[Any]) -> None:
        futures = []
        for row in rows:
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
            futures.append(
                await producer.send(
                    row.topic,
                    value=message.value,
                    key=row.key.encode(),
                    headers=list(message.headers.items()),
                )
            )
        await asyncio.gather(*futures)

    async def mark_sent(self, session: AsyncSession, seqs: list[int]) -> None:
        await session.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(sent_at=text("now()")))

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass


async def pending_count(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) or 0)


async def _discard(producer: AIOKafkaProducer | None) -> None:
    if producer is not None:
        try:
            await asyncio.wait_for(producer.stop(), timeout=10)
        except Exception:  # a producer that cannot flush is dropped; its rows stay pending
            log.warning("discarded a Kafka producer that did not stop cleanly")
