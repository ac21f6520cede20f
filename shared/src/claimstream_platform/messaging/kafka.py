"""Every Kafka client setting in one place.

aiokafka's defaults are unsafe for money (acks=1, no idempotence, auto-commit on, offset reset `latest`,
read_uncommitted): each one is set explicitly here and nowhere else. Every client reaches the brokers by the
process's transport (transport.py: TLS and SASL where the deployment says so).
"""

import asyncio
import logging
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code

from claimstream_platform.messaging.workers import cancelled_from_outside
from claimstream_platform.settings import FOREVER, RetentionSettings
from claimstream_platform.transport import kafka_transport

log = logging.getLogger(__name__)

TOPIC_PARTITIONS = 6
# How long a client that lost its broker is given to stop before it is dropped (see `stop_client`).
STOP_SECONDS = 10.0
DEAD_LETTER_SUFFIX = ".dlq"
_DAY_MS = 86_400_000
_DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs' config source of a setting made on the topic itself


def dead_letter_topic(topic: str) -> str:
    return f"{topic}{DEAD_LETTER_SUFFIX}"


def new_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        **kafka_transport().client_arguments(),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=512 * 1024,
        request_timeout_ms=15_000,
        # The broker's default `message.max.bytes`: a larger record is refused here, before it is sent, and the
        # outbox relay quarantines its row (messaging/outbox.py) instead of waiting for a broker that will not take it.
        max_request_size=1_048_576,
    )


def new_consumer(
    bootstrap_servers: str,
    *,
    group_id: str,
    topics: list[str],
    listener: ConsumerRebalanceListener,
    max_records: int,
    session_timeout_ms: int = 30_000,
) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        **kafka_transport().client_arguments(),
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=max_records,
        # A killed member keeps its partitions until this expires: shorter means faster recovery.
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=min(3_000, session_timeout_ms // 3),
        # The consumer's poll loop polls at least every second whatever its partitions' batches are doing (each
        # works paused, on its own: messaging/partitions.py), so this only catches a poll loop that is itself stuck.
        max_poll_interval_ms=300_000,
        # How long aiokafka's fetch routine sleeps when nothing happens (200 ms by default): it wakes at once for
        # what matters (a fetch answered, a partition resumed or unassigned), so an idle consumer need not wake
        # five times a second (issue 33's idle budget).
        consumer_timeout_ms=1_000,
    )
    consumer.subscribe(topics=topics, listener=listener)  # told before a rebalance takes partitions away
    return consumer


def new_reader(bootstrap_servers: str) -> AIOKafkaConsumer:
    """A consumer outside any group: it reads the partitions and offsets it is given and commits nothing."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        **kafka_transport().client_arguments(),
        enable_auto_commit=False,
        isolation_level="read_committed",
    )


async def stop_client(client: AIOKafkaConsumer | AIOKafkaProducer, *, seconds: float = STOP_SECONDS) -> None:
    """Stop a client for good, even one whose broker died under it; a failure is logged, not raised. aiokafka's stop
    can wait on a dead connection, and a consumer's fetcher, stopped with a fetch in flight, raises that fetch's
    cancellation out of `stop()` (0.14): had that escaped, the worker would have ended as though cancelled, and
    nothing would start it again. A stop that fails or takes over `seconds` is finished by hand (`_finish_stop`). A
    cancellation of the caller's own task still propagates."""
    try:
        async with asyncio.timeout(seconds):
            await client.stop()
        return
    except asyncio.CancelledError:
        if cancelled_from_outside():
            raise
        failure = "CancelledError"
    except Exception as error:
        failure = type(error).__name__
    log.warning("a Kafka client did not stop cleanly", extra={"client": type(client).__name__, "error": failure})
    await _finish_stop(client, seconds)


async def _finish_stop(client: AIOKafkaConsumer | AIOKafkaProducer, seconds: float) -> None:
    """What aiokafka's stop does after the step that failed: the consumer's fetches cancelled, the connections
    closed. aiokafka marks a client closed before it stops, so a second `stop()` does nothing; left alone, these would
    try the broker for good, one set more at each restart of the worker. They are private attributes (0.14), read
    with care: one a later aiokafka names otherwise is skipped."""
    fetcher = getattr(client, "_fetcher", None)
    fetches = [*getattr(fetcher, "_pending_tasks", ()), getattr(fetcher, "_fetch_task", None)]
    tasks = [task for task in fetches if isinstance(task, asyncio.Task)]
    for task in tasks:
        task.cancel()
    connections = getattr(client, "_client", None) or getattr(client, "client", None)
    try:
        async with asyncio.timeout(seconds):
            await asyncio.gather(*tasks, return_exceptions=True)
            if connections is not None:
                await connections.close()
    except asyncio.CancelledError:
        if cancelled_from_outside():
            raise
    except Exception as error:
        log.warning("a Kafka client's connections did not close", extra={"error": type(error).__name__})


def new_admin(bootstrap_servers: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, **kafka_transport().client_arguments(), request_timeout_ms=10_000
    )


async def ensure_topics(
    bootstrap_servers: str,
    topics: list[str],
    *,
    partitions: int = TOPIC_PARTITIONS,
    retention: RetentionSettings | None = None,
) -> list[str]:
    """Create each topic and its dead-letter topic if absent, and give every one of them the retention `retention`
    says (by default the environment's: TOPIC_RETENTION_DAYS, DEAD_LETTER_TOPIC_RETENTION_DAYS), altering a topic
    that exists only where its configuration differs; returns the names created."""
    retention = retention or RetentionSettings()
    admin = new_admin(bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {name: topic_config(name, retention) for topic in topics for name in (topic, dead_letter_topic(topic))}
        missing = sorted(name for name in wanted if name not in existing)
        if missing:
            await admin.create_topics([NewTopic(name, partitions, 1, topic_configs=wanted[name]) for name in missing])
        await _align(admin, {name: config for name, config in wanted.items() if name in existing})
        return missing
    finally:
        await admin.close()


def topic_config(topic: str, retention: RetentionSettings) -> dict[str, str]:
    """A topic's own settings: deleted when older than its retention (a dead-letter topic's is its own), in
    segments rolled daily, since Kafka deletes a segment only once its newest record is past the retention (a week's
    segment would keep a record a week longer); a topic kept forever keeps Kafka's weekly segments."""
    dead_letters = topic.endswith(DEAD_LETTER_SUFFIX)
    days = retention.dead_letter_topic_retention_days if dead_letters else retention.topic_retention_days
    if days == FOREVER:
        return {"cleanup.policy": "delete", "retention.ms": "-1", "segment.ms": str(7 * _DAY_MS)}
    return {"cleanup.policy": "delete", "retention.ms": str(days * _DAY_MS), "segment.ms": str(_DAY_MS)}


async def _align(admin: AIOKafkaAdminClient, wanted: Mapping[str, dict[str, str]]) -> None:
    """Set `wanted` on existing topics whose own settings differ. AlterConfigs replaces a topic's whole set of
    settings, so the ones made on the topic by anyone else are read first and kept."""
    if not wanted:
        return
    own = await _topic_settings(admin, list(wanted))
    changed = [
        ConfigResource(ConfigResourceType.TOPIC, name, own[name] | config)
        for name, config in sorted(wanted.items())
        if any(own[name].get(key) != value for key, value in config.items())
    ]
    if changed:
        for response in await admin.alter_configs(changed):
            for error_code, _message, _type, name in response.resources:
                if error_code:
                    raise for_code(error_code)(f"altering the configuration of topic {name}")


async def _topic_settings(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, dict[str, str]]:
    """The settings made on each topic itself (not the broker's defaults)."""
    found: dict[str, dict[str, str]] = {topic: {} for topic in topics}
    resources = [ConfigResource(ConfigResourceType.TOPIC, topic) for topic in topics]
    for response in await admin.describe_configs(resources):
        for error_code, _message, _type, name, entries in response.resources:
            if error_code:
                raise for_code(error_code)(f"describing the configuration of topic {name}")
            found[name] = {entry[0]: entry[1] for entry in entries if entry[3] == _DYNAMIC_TOPIC_CONFIG}
    return found
