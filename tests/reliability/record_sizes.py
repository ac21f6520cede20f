"""The records a test put on Kafka, by size, against each topic's own limit (`max.message.bytes`)."""

import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from claimstream_platform.messaging.kafka import new_admin


async def end_offsets(bootstrap_servers: str) -> dict[TopicPartition, int]:
    """Where every partition of every topic ends now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        topics = sorted(t for t in await consumer.topics() if not t.startswith("__"))
        await consumer._client.force_metadata_update()  # `topics()` names them; this learns their partitions
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        return dict(await consumer.end_offsets(partitions)) if partitions else {}
    finally:
        await consumer.stop()


async def largest_since(bootstrap_servers: str, since: dict[TopicPartition, int]) -> dict[str, int]:
    """The largest record (key, value and headers) each topic took after `since`; a topic created since counts from
    its start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        now = await end_offsets(bootstrap_servers)
        pending = {tp: end for tp, end in now.items() if end > since.get(tp, 0)}
        largest: dict[str, int] = {}
        if not pending:
            return largest
        consumer.assign(list(pending))
        for tp in pending:
            consumer.seek(tp, since.get(tp, 0))
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                for record in records:
                    size = len(record.key or b"") + len(record.value or b"")
                    size += sum(len(k) + len(v or b"") for k, v in record.headers)
                    largest[tp.topic] = max(largest.get(tp.topic, 0), size)
            for tp in [tp for tp, end in pending.items() if await consumer.position(tp) >= end]:
                pending.pop(tp)
        assert not pending, f"partitions not read to their end: {sorted(str(tp) for tp in pending)}"
        return largest
    finally:
        await consumer.stop()


async def max_message_bytes(bootstrap_servers: str, topics: list[str]) -> dict[str, int]:
    """Each topic's `max.message.bytes` (its own setting, else the broker's default, as the broker reports it)."""
    admin = new_admin(bootstrap_servers)
    await admin.start()
    try:
        found = {}
        resources = [ConfigResource(ConfigResourceType.TOPIC, topic) for topic in topics]
        for response in await admin.describe_configs(resources):
            for _error, _message, _type, name, entries in response.resources:
                found[name] = next(int(entry[1]) for entry in entries if entry[0] == "max.message.bytes")
        return found
    finally:
        await admin.close()
