"""Stream health read from the broker itself: consumer lag per group and partition, and the dead-letter topics'
counts and latest letters (their reason, origin and event type from the headers; never a payload). Bounded: a
broker that does not answer in time is a TransientError, which the API answers 503 with Retry-After."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from claimstream_platform.errors import TransientError
from claimstream_platform.messaging.kafka import DEAD_LETTER_SUFFIX, new_admin
from claimstream_platform.messaging.letters import dead_letter_topic_named, read_letters, read_marks
from claimstream_platform.messaging.reading import Record, TopicReader, topic_reader
from claimstream_platform.messaging.redrive import Plan, Selection, plan, redrive

TIMEOUT = 5.0
_T = TypeVar("_T")


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
    event_id: str | None  # what a redrive names (`redrive`)
    dead_letter_topic: str


async def installation(bootstrap_servers: str, latest: int) -> tuple[list[Lag], dict[str, int], list[DeadLetter]]:
    """An installation operator's view: the lag of every group, the dead letters per topic, the latest of them.
    Each on a reader of its own: on one reader, the lags' offset requests wait behind the letters' fetches (about
    four seconds on a broker with a few dozen dead-letter partitions), and letters read after the lags were missed."""

    async def letters(reader: TopicReader) -> tuple[dict[str, int], list[DeadLetter]]:
        return await _dead_letters(reader, None, latest)

    async def lags(reader: TopicReader) -> list[Lag]:
        return await _lags(bootstrap_servers, reader)

    (counts, found), lagging = await asyncio.gather(
        _bounded(bootstrap_servers, letters), _bounded(bootstrap_servers, lags)
    )
    return lagging, counts, found


async def tenant_letters(bootstrap_servers: str, tenant_id: UUID, latest: int) -> list[DeadLetter]:
    """The latest dead letters of one tenant (a letter that names no tenant is no tenant's to see)."""

    async def read(reader: TopicReader) -> list[DeadLetter]:
        return (await _dead_letters(reader, tenant_id, latest))[1]

    return await _bounded(bootstrap_servers, read)


async def _bounded(bootstrap_servers: str, read: Callable[[TopicReader], Awaitable[_T]]) -> _T:
    try:
        async with asyncio.timeout(TIMEOUT), topic_reader(bootstrap_servers) as reader:
            return await read(reader)
    except (TimeoutError, OSError, ConnectionError) as error:
        raise TransientError("the broker did not answer", retry_after=5) from error
    except Exception as error:  # aiokafka's own errors (no broker, metadata): an outage to the caller
        if type(error).__module__.startswith("aiokafka"):
            raise TransientError("the broker did not answer", retry_after=5) from error
        raise


async def _lags(bootstrap_servers: str, reader: TopicReader) -> list[Lag]:
    admin = new_admin(bootstrap_servers)
    await admin.start()
    try:
        groups = sorted(group for group, _ in await admin.list_consumer_groups())
        committed = {group: await admin.list_consumer_group_offsets(group) for group in groups}
    finally:
        await admin.close()
    _, ends = await reader.bounds(sorted({tp for offsets in committed.values() for tp in offsets}))
    return [
        Lag(group, tp.topic, tp.partition, meta.offset, ends.get(tp, meta.offset))
        for group in groups
        for tp, meta in sorted(committed[group].items())
        if meta.offset >= 0
    ]


async def _dead_letters(
    reader: TopicReader, tenant_id: UUID | None, latest: int
) -> tuple[dict[str, int], list[DeadLetter]]:
    partitions = await reader.partitions(lambda topic: topic.endswith(DEAD_LETTER_SUFFIX))
    if not partitions:
        return {}, []
    starts, ends = await reader.bounds(partitions)
    topics = sorted({tp.topic for tp in partitions})
    counts = {t: sum(ends[tp] - starts[tp] for tp in partitions if tp.topic == t) for t in topics}
    letters: list[DeadLetter] = []
    last_ones = {tp: max(starts[tp], ends[tp] - latest) for tp in partitions}
    async for records in reader.batches(last_ones, ends):
        letters += [letter for record in records if (letter := _letter(record, tenant_id)) is not None]
    return counts, sorted(letters, key=lambda letter: letter.at, reverse=True)[:latest]


def _letter(record: Record, tenant_id: UUID | None) -> DeadLetter | None:
    headers = {name: value.decode(errors="replace") for name, value in record.headers}
    if tenant_id is not None and headers.get("ce_tenantid") != str(tenant_id):
        return None
    return DeadLetter(
        topic=headers.get("dlq_topic", "?"),
        partition=int(headers.get("dlq_partition", "-1")),
        offset=int(headers.get("dlq_offset", "-1")),
        consumer=headers.get("dlq_consumer", "?"),
        kind=headers.get("dlq_kind", "?"),
        reason=headers.get("dlq_reason", "")[:500],
        event_type=headers.get("ce_type"),
        at=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        event_id=headers.get("ce_id"),
        dead_letter_topic=record.topic,
    )


async def redrive_events(bootstrap_servers: str, topic: str, event_ids: frozenset[str]) -> Plan:
    """An operator's redrive after a fix, as `claimstream dlq redrive --topic T --event-id ...` does it: those
    events' letters of the dead-letter topic sent back once each and marked (a letter redriven before is not sent
    again; the consumers' inboxes make even that harmless)."""
    dlq_topic = dead_letter_topic_named(topic)

    async def send() -> Plan:
        letters, marks = await asyncio.gather(
            read_letters(bootstrap_servers, lambda t: t == dlq_topic), read_marks(bootstrap_servers)
        )
        chosen = plan(letters, marks, Selection(event_ids=event_ids))
        await redrive(bootstrap_servers, chosen.events)
        return chosen

    try:
        async with asyncio.timeout(TIMEOUT * 4):
            return await send()
    except (TimeoutError, OSError, ConnectionError) as error:
        raise TransientError("the broker did not answer", retry_after=5) from error
    except Exception as error:  # aiokafka's own errors, as in `_bounded`
        if type(error).__module__.startswith("aiokafka"):
            raise TransientError("the broker did not answer", retry_after=5) from error
        raise
