"""Topic retention against real Kafka: `ensure_topics` gives a new topic and its dead-letter twin the configured
retention, and sets it on topics that already exist (made before, kept forever), keeping their other settings."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.messaging.kafka import dead_letter_topic, ensure_topics, new_admin
from claimstream_platform.settings import RetentionSettings

DAY_MS = 86_400_000


@pytest.fixture
async def admin(stack: StackUnderTest) -> AsyncIterator[AIOKafkaAdminClient]:
    client = new_admin(stack.bootstrap_servers)
    await client.start()
    yield client
    await client.close()


@pytest.fixture
async def topic(admin: AIOKafkaAdminClient) -> AsyncIterator[str]:
    name = f"retention-{uuid4().hex[:10]}.v1"
    yield name
    await admin.delete_topics([name, dead_letter_topic(name)])


async def settings_of(admin: AIOKafkaAdminClient, topic: str, wanted: dict[str, str] | None = None) -> dict[str, str]:
    """The settings made on the topic itself, once they show `wanted` (bounded): the broker applies a topic's
    settings a moment after the controller took them, and on a busy machine a read at once can miss them."""
    deadline = time.monotonic() + 20
    while True:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [(_, _, _, _, entries)] = response.resources
        found = {entry[0]: entry[1] for entry in entries if entry[3] == 1}  # DYNAMIC_TOPIC_CONFIG
        if all(found.get(key) == value for key, value in (wanted or {}).items()) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def visible(admin: AIOKafkaAdminClient, topics: list[str]) -> None:
    """Once the broker lists the topics just created (bounded), as `ensure_topics` will look for them."""
    deadline = time.monotonic() + 20
    while not set(topics) <= set(await admin.list_topics()) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def test_a_new_topic_and_its_dead_letter_topic_get_the_environments_retention(
    stack: StackUnderTest, admin: AIOKafkaAdminClient, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOPIC_RETENTION_DAYS", "10")
    monkeypatch.setenv("DEAD_LETTER_TOPIC_RETENTION_DAYS", "20")
    monkeypatch.setenv("INBOX_RETENTION_DAYS", "34")

    assert await ensure_topics(stack.bootstrap_servers, [topic], partitions=1) == sorted(
        [topic, dead_letter_topic(topic)]
    )

    events = await settings_of(admin, topic, {"retention.ms": str(10 * DAY_MS)})
    dead_letters = await settings_of(admin, dead_letter_topic(topic), {"retention.ms": str(20 * DAY_MS)})
    assert (events["retention.ms"], events["segment.ms"]) == (str(10 * DAY_MS), str(DAY_MS))
    assert (dead_letters["retention.ms"], dead_letters["segment.ms"]) == (str(20 * DAY_MS), str(DAY_MS))


async def test_an_existing_topic_kept_forever_gets_the_retention_once_and_keeps_its_other_settings(
    stack: StackUnderTest, admin: AIOKafkaAdminClient, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    forever = {"retention.ms": "-1", "cleanup.policy": "delete", "max.message.bytes": "2000000"}
    await admin.create_topics(
        [NewTopic(name, 1, 1, topic_configs=forever) for name in (topic, dead_letter_topic(topic))]
    )
    await visible(admin, [topic, dead_letter_topic(topic)])
    for name in (topic, dead_letter_topic(topic)):
        await settings_of(admin, name, {"retention.ms": "-1"})
    altered: list[Any] = []
    alter = AIOKafkaAdminClient.alter_configs

    async def counting(self: AIOKafkaAdminClient, resources: list[ConfigResource]) -> Any:
        altered.extend(resource.name for resource in resources)
        return await alter(self, resources)

    monkeypatch.setattr(AIOKafkaAdminClient, "alter_configs", counting)
    retention = RetentionSettings(topic_retention_days=14, dead_letter_topic_retention_days=30)

    assert await ensure_topics(stack.bootstrap_servers, [topic], retention=retention) == []  # none created
    events = await settings_of(admin, topic, {"retention.ms": str(14 * DAY_MS)})
    assert (events["retention.ms"], events["segment.ms"]) == (str(14 * DAY_MS), str(DAY_MS))
    assert events["max.message.bytes"] == "2000000"  # someone else's setting on the topic survives
    dead_letters = await settings_of(admin, dead_letter_topic(topic), {"retention.ms": str(30 * DAY_MS)})
    assert dead_letters["retention.ms"] == str(30 * DAY_MS)
    assert sorted(altered) == sorted([topic, dead_letter_topic(topic)])

    await ensure_topics(stack.bootstrap_servers, [topic], retention=retention)
    assert len(altered) == 2  # already as configured: nothing altered again


async def test_a_topic_set_to_keep_everything_is_set_back_to_forever(
    stack: StackUnderTest, admin: AIOKafkaAdminClient, topic: str
) -> None:
    await ensure_topics(stack.bootstrap_servers, [topic], partitions=1, retention=RetentionSettings())
    await settings_of(admin, topic, {"retention.ms": str(RetentionSettings().topic_retention_days * DAY_MS)})
    forever = RetentionSettings(topic_retention_days=-1, dead_letter_topic_retention_days=-1, inbox_retention_days=-1)

    await ensure_topics(stack.bootstrap_servers, [topic], retention=forever)

    for name in (topic, dead_letter_topic(topic)):
        assert (await settings_of(admin, name, {"retention.ms": "-1"}))["retention.ms"] == "-1"
