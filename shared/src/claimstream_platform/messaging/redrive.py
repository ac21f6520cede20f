"""Redrive: dead-lettered events produced again to the topic and partition they came from, once their cause is
fixed (a consumer that knows the new event type, a handler that no longer refuses), and each letter marked.

The event goes back as it came: its value, key and CloudEvents headers, so its event id, unchanged (the `dlq_*`
headers are dropped; `redriven_from` names the letter). Kafka cannot deliver to one consumer group alone, so every
group of the topic sees the event again; the inbox, keyed by (consumer, event id), makes that harmless:

- the group that dead-lettered it has no inbox row for it (an undecodable or misplaced event is never claimed, and
  one whose handler failed is forgotten as it is dead-lettered), so it applies the event now, once;
- a group that applied it before skips it; a group that does not subscribe to its type ignores it; a group that
  still cannot apply it dead-letters it again, as a new letter.

So a redrive is idempotent however often it runs: the same event sent twice is applied once. The marks
(messaging/letters.py) are what `list` shows and what a second redrive skips; they are written after the broker
took the events, so a redrive cut off in between sends some events again on the next run, which the inbox absorbs.
An event dead-lettered by several groups (an unknown type: every group of the topic decodes it) is sent once and
all its letters are marked. A letter without an event id (no CloudEvents headers) is no event: none is sent.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.admin import NewTopic
from aiokafka.structs import RecordMetadata

from claimstream_platform.messaging.kafka import new_admin, new_producer, stop_client
from claimstream_platform.messaging.letters import REDRIVEN_CONFIG, REDRIVEN_TOPIC, Letter, Mark, redriven

REDRIVEN_FROM = "redriven_from"  # the header naming the letter a redriven event was sent from


class NowhereToSend(Exception):
    """A topic the events would go back to does not exist: nothing is sent."""


@dataclass(frozen=True)
class Selection:
    """Which letters of a dead-letter topic to redrive: all of them, or those of one consumer group, of one kind,
    of some events; those redriven before only `again`."""

    consumer: str | None = None
    kind: str | None = None
    event_ids: frozenset[str] = frozenset()
    again: bool = False

    def picks(self, letter: Letter) -> bool:
        return (
            (self.consumer is None or letter.consumer == self.consumer)
            and (self.kind is None or letter.kind == self.kind)
            and (not self.event_ids or letter.event_id in self.event_ids)
        )


@dataclass
class Outgoing:
    """One event to send again, and every letter of it that this redrive marks."""

    letters: list[Letter]
    to: str | None = None  # `<topic>:<partition>:<offset>` once the broker took it

    @property
    def letter(self) -> Letter:
        return self.letters[0]


@dataclass
class Plan:
    events: list[Outgoing] = field(default_factory=list)
    redriven_before: int = 0  # letters picked but marked already (and not `again`)
    not_events: list[Letter] = field(default_factory=list)


def plan(letters: list[Letter], marks: dict[str, Mark], selection: Selection) -> Plan:
    result, by_event = Plan(), dict[tuple[str, str], Outgoing]()
    for letter in letters:
        if not selection.picks(letter):
            continue
        if redriven(letter, marks) and not selection.again:
            result.redriven_before += 1
        elif letter.event_id is None:
            result.not_events.append(letter)
        elif (identity := (letter.origin_topic, letter.event_id)) in by_event:
            by_event[identity].letters.append(letter)
        else:
            by_event[identity] = Outgoing([letter])
            result.events.append(by_event[identity])
    return result


async def redrive(bootstrap_servers: str, events: list[Outgoing]) -> None:
    """Send each event back, then mark its letters; sets each one's `to`."""
    if not events:
        return
    await _prepare(bootstrap_servers, sorted({outgoing.letter.origin_topic for outgoing in events}))
    producer = new_producer(bootstrap_servers, client_id="claimstream-dlq-redrive")
    try:
        await producer.start()
        # Sent together and then awaited: the idempotent producer keeps each partition's records in order.
        sent = [await _send(producer, outgoing.letter) for outgoing in events]
        for outgoing, metadata in zip(events, await asyncio.gather(*sent), strict=True):
            outgoing.to = f"{metadata.topic}:{metadata.partition}:{metadata.offset}"
        at = datetime.now(UTC).isoformat()
        marked = [
            await producer.send(
                REDRIVEN_TOPIC,
                key=letter.address.encode(),
                value=Mark(letter.timestamp_ms, at, outgoing.to or "").encode(),
            )
            for outgoing in events
            for letter in outgoing.letters
        ]
        await asyncio.gather(*marked)
    finally:
        await stop_client(producer)


async def _send(producer: AIOKafkaProducer, letter: Letter) -> "asyncio.Future[RecordMetadata]":
    partitions = await producer.partitions_for(letter.origin_topic)
    partition = letter.origin_partition if letter.origin_partition in partitions else None  # else by its key
    headers = [(name, value) for name, value in letter.headers if not _dead_letters_own(name)]
    headers.append((REDRIVEN_FROM, letter.address.encode()))
    future: asyncio.Future[RecordMetadata] = await producer.send(
        letter.origin_topic, value=letter.value, key=letter.key, headers=headers, partition=partition
    )
    return future


def _dead_letters_own(header: str) -> bool:
    return header.startswith("dlq_") or header == REDRIVEN_FROM


async def _prepare(bootstrap_servers: str, topics: list[str]) -> None:
    """The topics the events go back to must exist (a broker may create a topic a producer names, empty and
    consumed by no one); the marks' topic is created on the first redrive."""
    admin = new_admin(bootstrap_servers)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        if missing := [topic for topic in topics if topic not in existing]:
            raise NowhereToSend(f"no topic {', '.join(missing)} to redrive to")
        if REDRIVEN_TOPIC not in existing:  # (created by another redrive meanwhile: the broker says so, no harm)
            await admin.create_topics([NewTopic(REDRIVEN_TOPIC, 1, 1, topic_configs=REDRIVEN_CONFIG)])
    finally:
        await admin.close()
