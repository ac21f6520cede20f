"""The dead letters of `<topic>.dlq` as an operator reads them (messaging/dead_letters.py writes them), and the
marks of those redriven (messaging/redrive.py).

A letter is the record as it came, its CloudEvents headers and its value untouched, plus `dlq_reason`, `dlq_kind`,
`dlq_consumer` and the original topic, partition and offset. What is read here for a listing is the headers alone:
ids, the type and the reason, never a payload value (the payload carries PHI).

A mark says that a letter was redriven: a record on the compacted topic `claimstream.dlq-redriven`, keyed by the
letter's address (`<dlq topic>:<partition>:<offset>`), its value the letter's time and where the event went. Kafka
records cannot be changed, so the mark lives beside the letter; the letter's time in the mark tells a letter from
another at the same address should a dead-letter topic ever be deleted and created again.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import TopicPartition

from claimstream_platform.messaging.kafka import DEAD_LETTER_SUFFIX
from claimstream_platform.messaging.reading import Record, topic_reader

REDRIVEN_TOPIC = "claimstream.dlq-redriven"
REDRIVEN_CONFIG = {"cleanup.policy": "compact"}  # one mark per letter, kept as long as the letters are


@dataclass(frozen=True)
class Letter:
    dlq_topic: str
    partition: int
    offset: int
    timestamp_ms: int
    headers: tuple[tuple[str, bytes], ...]
    key: bytes | None
    value: bytes | None

    @property
    def address(self) -> str:
        return f"{self.dlq_topic}:{self.partition}:{self.offset}"

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def header(self, name: str) -> str | None:
        """The last header of that name (a letter of a redriven event carries the headers it was redriven with)."""
        found = [value for header, value in self.headers if header == name]
        return found[-1].decode(errors="replace") if found else None

    @property
    def origin_topic(self) -> str:
        return self.header("dlq_topic") or self.dlq_topic.removesuffix(DEAD_LETTER_SUFFIX)

    @property
    def origin_partition(self) -> int | None:
        return _number(self.header("dlq_partition"))

    @property
    def origin_offset(self) -> int | None:
        return _number(self.header("dlq_offset"))

    @property
    def consumer(self) -> str:
        return self.header("dlq_consumer") or "?"

    @property
    def kind(self) -> str:
        return self.header("dlq_kind") or "?"

    @property
    def reason(self) -> str:
        return self.header("dlq_reason") or ""

    @property
    def event_id(self) -> str | None:
        return self.header("ce_id")

    @property
    def event_type(self) -> str | None:
        return self.header("ce_type")

    @property
    def tenant_id(self) -> str | None:
        return self.header("ce_tenantid")


@dataclass(frozen=True)
class Mark:
    """A letter redriven: when, and where its event went (`<topic>:<partition>:<offset>`)."""

    letter_timestamp_ms: int
    redriven_at: str
    to: str

    def encode(self) -> bytes:
        return json.dumps(vars(self)).encode()

    def of(self, letter: Letter) -> bool:
        return self.letter_timestamp_ms == letter.timestamp_ms


def dead_letter_topic_named(name: str) -> str:
    """An operator may name a topic or its dead-letter topic: `ledger.v1` and `ledger.v1.dlq` are the same here."""
    return name if name.endswith(DEAD_LETTER_SUFFIX) else f"{name}{DEAD_LETTER_SUFFIX}"


async def read_letters(bootstrap_servers: str, wanted: Callable[[str], bool]) -> list[Letter]:
    """Every letter of the dead-letter topics `wanted` picks, up to their ends now, oldest first per partition."""
    async with topic_reader(bootstrap_servers) as reader:
        partitions = await reader.partitions(lambda topic: topic.endswith(DEAD_LETTER_SUFFIX) and wanted(topic))
        starts, ends = await reader.bounds(partitions)
        letters = [_letter(record) async for records in reader.batches(starts, ends) for record in records]
    return sorted(letters, key=lambda letter: (letter.dlq_topic, letter.partition, letter.offset))


async def read_letter(bootstrap_servers: str, dlq_topic: str, partition: int, offset: int) -> Letter | None:
    """The letter at one offset of one partition, if there is one there now."""
    async with topic_reader(bootstrap_servers) as reader:
        known = await reader.partitions(lambda topic: topic == dlq_topic)
        if (tp := TopicPartition(dlq_topic, partition)) not in known:
            return None
        starts, ends = await reader.bounds([tp])
        if not starts[tp] <= offset < ends[tp]:
            return None
        async for records in reader.batches({tp: offset}, {tp: offset + 1}):
            return next((_letter(record) for record in records if record.offset == offset), None)
    return None  # not read: a transaction's marker, or an aborted transaction's record, is at that offset


async def read_marks(bootstrap_servers: str) -> dict[str, Mark]:
    """Every mark, by the address of its letter (none before the first redrive creates the topic)."""
    marks: dict[str, Mark] = {}
    async with topic_reader(bootstrap_servers) as reader:
        partitions = await reader.partitions(lambda topic: topic == REDRIVEN_TOPIC)
        starts, ends = await reader.bounds(partitions)
        async for records in reader.batches(starts, ends):
            for record in records:
                if record.key is not None and record.value is not None:
                    marks[record.key.decode()] = Mark(**json.loads(record.value))
    return marks


def redriven(letter: Letter, marks: dict[str, Mark]) -> Mark | None:
    mark = marks.get(letter.address)
    return mark if mark is not None and mark.of(letter) else None


def _letter(record: Record) -> Letter:
    return Letter(
        dlq_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        headers=tuple(record.headers),
        key=record.key,
        value=record.value,
    )


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
