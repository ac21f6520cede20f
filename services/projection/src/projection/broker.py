"""Stream health read from the broker itself: consumer lag per group and partition, and the dead-letter topics'
counts and latest letters (their reason, origin and event type from the headers; never a payload). Bounded: a
broker that does not answer in time is a TransientError, which the API answers 503 with Retry-After."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from claimstream_platform.errors import TransientError
from claimstream_platform.messaging.kafka import new_admin

DLQ_SUFFIX = ".dlq"
TIMEOUT = 5.0


@dataclass(frozen=True)
class Lag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(self.end - self.committed, 0)


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # where it came from
    partition: int
    offset: int
    consumer: str
    kind: str  # decode | handler
    reason: str
    event_type: str | None
    at: datetime


async def read(bootstrap_servers: str, tenant_id: UUID | None, latest: int) -> tuple[list[Lag], dict[str, int],
                                                                                   list[DeadLetter]]:  # fmt: skip
    """Lag of every group, dead letters per topic, and the latest dead letters (of one tenant, or all: None)."""
    try:
        async with asyncio.timeout(TIMEOUT):
            consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
            await consumer.start()
            try:
                lags = await _lags(bootstrap_servers, consumer)
                counts, letters = await _dead_letters(consumer, tenant_id, latest)
                return lags, counts, letters
            finally:
                await consumer.stop()
    except (TimeoutError, OSError, ConnectionError) as error:
        raise TransientError("the broker did not answer", retry_after=5) from error
    except Exception as error:  # aiokafka's own errors (no broker, metadata): an outage to the caller
        if type(error).__module__.startswith("aiokafka"):
            raise TransientError("the broker did not answer", retry_after=5) from error
        raise


async def _lags(bootstrap_servers: str, consumer: AIOKafkaConsumer) -> list[Lag]:
    admin = new_admin(bootstrap_servers)
    await admin.start()
    try:
        groups = sorted(group for group, _ in await admin.list_consumer_groups())
        committed = {group: await admin.list_consumer_group_offsets(group) for group in groups}
    finally:
        await admin.close()
    partitions = sorted({tp for offsets in committed.values() for tp in offsets})
    ends = await consumer.end_offsets(partitions) if partitions else {}
    return [Lag(group, tp.topic, tp.partition, meta.offset, ends.get(tp, meta.offset))
            for group in groups for tp, meta in sorted(committed[group].items()) if meta.offset >= 0]  # fmt: skip


async def _dead_letters(consumer: AIOKafkaConsumer, tenant_id: UUID | None, latest: int
                        ) -> tuple[dict[str, int], list[DeadLetter]]:  # fmt: skip
    topics = sorted(t for t in await consumer.topics() if t.endswith(DLQ_SUFFIX))
    await consumer._client.force_metadata_update()  # topics() fetched the metadata without keeping it
    partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
    if not partitions:
        return {}, []
    starts, ends = await consumer.beginning_offsets(partitions), await consumer.end_offsets(partitions)
    counts = {t: sum(ends[tp] - starts[tp] for tp in partitions if tp.topic == t) for t in topics}
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, max(starts[tp], ends[tp] - latest))
    letters: list[DeadLetter] = []
    while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
        for records in (await consumer.getmany(timeout_ms=500)).values():
            letters += [letter for r in records if (letter := _letter(r, tenant_id)) is not None]
    return counts, sorted(letters, key=lambda letter: letter.at, reverse=True)[:latest]


def _letter(record: object, tenant_id: UUID | None) -> DeadLetter | None:
    headers = {name: value.decode(errors="replace") for name, value in getattr(record, "headers", ())}
    if tenant_id is not None and headers.get("ce_tenantid") != str(tenant_id):
        return None
    return DeadLetter(
        topic=headers.get("dlq_topic", "?"), partition=int(headers.get("dlq_partition", "-1")),
        offset=int(headers.get("dlq_offset", "-1")), consumer=headers.get("dlq_consumer", "?"),
        kind=headers.get("dlq_kind", "?"), reason=headers.get("dlq_reason", "")[:500],
        event_type=headers.get("ce_type"), at=datetime.fromtimestamp(getattr(record, "timestamp", 0) / 1000, UTC),
    )  # fmt: skip
