"""Records the test puts on the services' topics itself: events encoded as their producers encode them
(`messaging.envelope.encode`), records read back and produced again as they came (a redelivery), and raw records no
producer of ours would write (poison). And what the consumer groups made of them: their committed offsets and the
workers' metrics."""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from claimstream_devtools.devstack.services import METRICS_PORT_OFFSET
from claimstream_devtools.running_services import Services
from claimstream_platform.contracts import (
    IntegrationEvent,
    charge_capture,
    claim_submission,
    denial_management,
    eligibility,
    prior_authorization,
    remittance_posting,
)
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from claimstream_platform.messaging.kafka import new_admin
from kafka_reader import header, read_topic

# Each topic's consumer groups (a group is its service's name): whom a record on it reaches, from the services'
# subscriptions (their consumers.py). The access log's topic is identity's and the projection's.
CONSUMERS = {
    charge_capture.TOPIC: ("claim-submission", "denial-management", "eligibility", "prior-authorization", "projection"),
    claim_submission.TOPIC: ("billing-office", "denial-management", "projection", "remittance-posting"),
    denial_management.TOPIC: ("claim-submission", "projection"),
    eligibility.TOPIC: ("claim-submission", "projection"),
    prior_authorization.TOPIC: ("claim-submission", "denial-management", "projection"),
    remittance_posting.TOPIC: ("billing-office", "claim-submission", "denial-management", "projection"),
}
Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Message:
    """A record as it goes on a topic."""

    topic: str
    key: bytes
    value: bytes | None
    headers: Headers

    @property
    def event_id(self) -> str:
        return dict(self.headers)["ce_id"].decode()

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> "Message":
        """A record read back, to be produced again as it came: the same key, value and headers."""
        return cls(record.topic, record.key or b"", record.value, list(record.headers))


@dataclass(frozen=True)
class Sent:
    topic: str
    partition: int
    offset: int
    event_id: str


def encoded(event: IntegrationEvent, *, at: datetime, source: str) -> Message:
    """The event as its producer's outbox relay puts it on its topic, recorded at `at`."""
    metadata = EventMetadata(event_id=uuid4(), source=source, time=at, correlation_id=uuid4())
    message = encode_event(event, metadata)
    value = message.value if isinstance(message.value, bytes) else message.value.encode()
    return Message(event.topic, event.partition_key.encode(), value, list(message.headers.items()))


Send = Callable[[Iterable[Message]], Awaitable[list[Sent]]]


@asynccontextmanager
async def producing(servers: str) -> AsyncIterator[Send]:
    """A producer for the test: each message sent in turn, each acknowledged before the next is sent (their order
    on a partition is this one)."""
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=True)
    await producer.start()

    async def send(messages: Iterable[Message]) -> list[Sent]:
        sent = []
        for m in messages:
            meta = await producer.send_and_wait(m.topic, value=m.value, key=m.key, headers=m.headers)
            sent.append(Sent(m.topic, meta.partition, meta.offset, dict(m.headers).get("ce_id", b"").decode()))
        return sent

    try:
        yield send
    finally:
        await producer.stop()


async def produce(servers: str, messages: Iterable[Message]) -> list[Sent]:
    async with producing(servers) as send:
        return await send(messages)


async def records_of(servers: str, topic: str, tenants: Iterable[UUID]) -> list[ConsumerRecord[bytes, bytes]]:
    """The topic's records of these tenants, oldest first per partition."""
    wanted = {str(tenant) for tenant in tenants}
    return [record for record in await read_topic(servers, topic) if header(record, "ce_tenantid") in wanted]


async def behind(admin: AIOKafkaAdminClient, sent: Sequence[Sent]) -> list[str]:
    """The consumer groups (of each record's topic) whose committed offset has not passed the record yet."""
    last: dict[TopicPartition, int] = {}
    for record in sent:
        tp = TopicPartition(record.topic, record.partition)
        last[tp] = max(last.get(tp, -1), record.offset)
    late = []
    for group in sorted({group for tp in last for group in CONSUMERS[tp.topic]}):
        mine = [tp for tp in last if group in CONSUMERS[tp.topic]]
        offsets = await admin.list_consumer_group_offsets(group, partitions=mine)
        late += [f"{group} {tp.topic}:{tp.partition}" for tp in mine if _offset(offsets, tp) <= last[tp]]
    return late


def _offset(offsets: dict[TopicPartition, object], tp: TopicPartition) -> int:
    found = offsets.get(tp)
    return int(getattr(found, "offset", -1)) if found is not None else -1


async def consumed(servers: str, sent: Sequence[Sent], *, within: float = 60) -> list[str]:
    """Wait (bounded) until every consumer group of each record's topic committed past it; returns those still
    behind then (nothing once they all did: the records were applied, or dead-lettered)."""
    admin = new_admin(servers)
    await admin.start()
    try:
        deadline = time.monotonic() + within
        while late := await behind(admin, sent):
            if time.monotonic() > deadline:
                return late
            await asyncio.sleep(0.05)
        return []
    finally:
        await admin.close()


async def drained(servers: str, *, within: float = 60) -> list[str]:
    """Wait (bounded) until every consumer group committed the end of every topic it reads, as it stands now:
    whatever was published is applied (or dead-lettered). Returns the groups and partitions still behind then."""
    reader = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False)
    await reader.start()
    try:
        await reader._client.force_metadata_update()
        partitions = [TopicPartition(t, p) for t in CONSUMERS for p in reader.partitions_for_topic(t) or set()]
        ends = await reader.end_offsets(partitions)
    finally:
        await reader.stop()
    last = [Sent(tp.topic, tp.partition, end - 1, "") for tp, end in ends.items() if end > 0]
    return await consumed(servers, last, within=within)


async def metric(services: Services, group: str, name: str, **labels: str) -> float:
    """A counter of a service's worker, from its /metrics (its API's port + METRICS_PORT_OFFSET); 0 if not yet
    counted. Labels not named are summed over."""
    api = httpx.URL(getattr(services, group.replace("-", "_")))
    text = await _scraped(f"http://127.0.0.1:{int(api.port or 0) + METRICS_PORT_OFFSET}/metrics")
    total = 0.0
    for found in re.finditer(rf"^{re.escape(name)}\{{([^}}]*)\}} (\S+)$", text, re.MULTILINE):
        given = dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))
        if all(given.get(label) == value for label, value in labels.items()):
            total += float(found.group(2))
    return total


async def _scraped(url: str, *, within: float = 60) -> str:
    """The exposition, once the worker answers (bounded: one a fault test killed is being started again)."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            try:
                return (await client.get(url)).raise_for_status().text
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
