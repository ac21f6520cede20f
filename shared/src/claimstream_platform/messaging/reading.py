"""Reading topics outside a consumer group, from chosen offsets up to their ends as they are when asked: for a
replay (the projection's rebuild) or a look at what a topic holds (its dead letters). Nothing is committed, and
records of aborted transactions are not read, as the consumers read."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from claimstream_platform.messaging.kafka import new_reader, stop_client

Offsets: TypeAlias = dict[TopicPartition, int]
Record: TypeAlias = ConsumerRecord[bytes, bytes]
Records: TypeAlias = list[Record]


@asynccontextmanager
async def topic_reader(bootstrap_servers: str) -> AsyncIterator["TopicReader"]:
    client = new_reader(bootstrap_servers)
    try:
        await client.start()  # (a broker that does not answer: the client is closed all the same)
        yield TopicReader(client)
    finally:
        await stop_client(client)


@dataclass
class TopicReader:
    client: AIOKafkaConsumer

    async def partitions(self, wanted: Callable[[str], bool]) -> list[TopicPartition]:
        """The partitions of the broker's topics that `wanted` picks. `topics()` fetches the metadata but does not
        keep it, so the client's own metadata is refreshed before the partitions are asked for."""
        topics = sorted(topic for topic in await self.client.topics() if wanted(topic))
        await self.client._client.force_metadata_update()
        return [TopicPartition(t, p) for t in topics for p in sorted(self.client.partitions_for_topic(t) or ())]

    async def bounds(self, partitions: list[TopicPartition]) -> tuple[Offsets, Offsets]:
        """Each partition's first offset and its end now. Asked before the partitions are read: asked after, they
        wait behind the fetch that the assignment starts (measured: half a second, the broker's fetch wait)."""
        if not partitions:
            return {}, {}
        return dict(await self.client.beginning_offsets(partitions)), dict(await self.client.end_offsets(partitions))

    async def batches(self, start: Offsets, ends: Offsets, *, batch: int | None = None) -> AsyncIterator[Records]:
        """Every record from `start` up to `ends` (not beyond, though more may have come), a fetch at a time."""
        partitions = list(start)
        self.client.assign(partitions)
        for partition, offset in start.items():
            self.client.seek(partition, offset)
        while [tp for tp in partitions if await self.client.position(tp) < ends[tp]]:
            fetched = await self.client.getmany(timeout_ms=500, max_records=batch)
            wanted = [record for tp, records in fetched.items() for record in records if record.offset < ends[tp]]
            if wanted:
                yield wanted
