"""The rebuild replays from offset 0, so it needs topics that still hold every event: once Kafka's retention
(TOPIC_RETENTION_DAYS) has deleted a topic's first records, the rebuild names the partitions and rebuilds nothing,
rather than swapping in a model that lacks the deleted events."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import RecordsToDelete
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.messaging.kafka import dead_letter_topic, ensure_topics, new_admin, new_producer
from projection.rebuild import truncated


@pytest.fixture
async def topic(stack: StackUnderTest) -> AsyncIterator[str]:
    """A topic of this test's own with three records."""
    name = f"history-{uuid4().hex[:12]}"
    await ensure_topics(stack.bootstrap_servers, [name], partitions=1)
    producer = new_producer(stack.bootstrap_servers, client_id="history-test")
    await producer.start()
    try:
        for _ in range(3):
            await producer.send_and_wait(name, value=b"{}", key=b"k")
    finally:
        await producer.stop()
    yield name
    admin = new_admin(stack.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([name, dead_letter_topic(name)])
    finally:
        await admin.close()


async def test_a_topic_whose_first_records_were_deleted_is_named_as_truncated(
    stack: StackUnderTest, topic: str
) -> None:
    assert await truncated(stack.bootstrap_servers, {topic}) == []

    admin = new_admin(stack.bootstrap_servers)
    await admin.start()
    try:  # what retention does to a topic's oldest segment
        await admin.delete_records({TopicPartition(topic, 0): RecordsToDelete(before_offset=2)})
    finally:
        await admin.close()

    assert await truncated(stack.bootstrap_servers, {topic}) == [f"{topic}[0]"]
