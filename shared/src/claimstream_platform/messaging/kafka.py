"""Every Kafka client setting in one place.

aiokafka's defaults are unsafe for money (acks=1, no idempotence, auto-commit on, offset reset `latest`,
read_uncommitted): each one is set explicitly here and nowhere else.
"""

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

TOPIC_PARTITIONS = 6
# Domain topics keep every event so that projections can be rebuilt from offset 0 (docs/platform.md, Topics).
TOPIC_CONFIG = {"retention.ms": "-1", "cleanup.policy": "delete"}
DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}{DEAD_LETTER_SUFFIX}"


def new_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
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
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=max_records,
        # A killed member keeps its partitions until this expires: shorter means faster recovery.
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=min(3_000, session_timeout_ms // 3),
        # The consumer's poll loop polls every 200 ms whatever its partitions' batches are doing (each works
        # paused, on its own: messaging/partitions.py), so this only catches a poll loop that is itself stuck.
        max_poll_interval_ms=300_000,
    )
    consumer.subscribe(topics=topics, listener=listener)  # told before a rebalance takes partitions away
    return consumer


def new_reader(bootstrap_servers: str) -> AIOKafkaConsumer:
    """A consumer outside any group: it reads the partitions and offsets it is given and commits nothing."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, isolation_level="read_committed"
    )


def new_admin(bootstrap_servers: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)


async def ensure_topics(bootstrap_servers: str, topics: list[str], *, partitions: int = TOPIC_PARTITIONS) -> list[str]:
    """Create each topic and its dead-letter topic if absent; returns the names created."""
    admin = new_admin(bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = sorted({name for topic in topics for name in (topic, dead_letter_topic(topic))})
        missing = [name for name in wanted if name not in existing]
        if missing:
            await admin.create_topics([NewTopic(name, partitions, 1, topic_configs=TOPIC_CONFIG) for name in missing])
        return missing
    finally:
        await admin.close()
