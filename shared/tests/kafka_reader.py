"""Reads a whole topic from the beginning (no consumer group), for assertions in tests."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition


async def read_topic(bootstrap_servers: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
        if not partitions:
            await consumer._client.force_metadata_update()  # a topic created moments ago
            partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=500)
            for items in batch.values():
                records.extend(items)
        return records
    finally:
        await consumer.stop()


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    value = dict(record.headers).get(name)
    return value.decode() if value is not None else None


async def records_about(
    bootstrap_servers: str, topic: str, subject: str, event_type: str | None = None, count: int = 1, timeout: float = 30
) -> list[ConsumerRecord[bytes, bytes]]:
    """The topic's records about `subject` (of `event_type`, if given), once at least `count` are there or the
    bounded wait is over. A service stores its state and its outbox row together, and the relay publishes moments
    later, so a test that has seen the state polls for the event rather than reading the topic once."""
    deadline = time.monotonic() + timeout
    while True:
        records = [
            r
            for r in await read_topic(bootstrap_servers, topic)
            if header(r, "ce_subject") == subject and event_type in (None, header(r, "ce_type"))
        ]
        if len(records) >= count or time.monotonic() > deadline:
            return records
        await asyncio.sleep(0.5)
