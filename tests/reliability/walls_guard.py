"""What the walls' scenarios (test_walls*.py: scenarios 17 to 23 of docs/reliability.md's catalogue) share: callers'
headers, the database as the installation sees it (past every wall), polls, forged tokens and events."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import ALL_PRACTICES, AUDIENCE, ISSUER, Kind, key_id
from claimstream_platform.contracts.charge_capture import TOPIC as CAPTURED_TOPIC
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.limits import Budget
from claimstream_platform.messaging.envelope import EventMetadata, encode_event
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka_reader import header, read_topic

T = TypeVar("T")
# The layer's budget of real-time payer calls (conftest.py gives it to the services as RATE_LIMITS, read at their
# start: a tenant's override would take up to 30 s to reach them): a tenth of the default, still above what a seeded
# run's front desk asks (one check per visit, 20 visits a tenant at most), so that scenario 21's burst sends a few
# dozen checks to the payer rather than hundreds.
PAYER_BUDGET = Budget(tenant=30, client=30, window_seconds=60)
# Every service whose API the walls tests sweep (by package).
SWEPT = (
    "charge_capture",
    "claim_submission",
    "eligibility",
    "prior_authorization",
    "remittance_posting",
    "denial_management",
    "projection",
    "identity",
    "patient_billing",
)


def bearer(keys: Keys, tenant: UUID, *roles: str, subject: str | None = None) -> dict[str, str]:
    """A tenant's caller (every tenant role unless some are named)."""
    token = keys.issuer.issue(tenant_id=tenant, roles=roles or None, subject=subject)
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def installation(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """The database as the installation's superuser sees it: every schema, every tenant, no wall."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        yield connection
    finally:
        await connection.close()


async def until(probe: Callable[[], Awaitable[T]], *, within: float, every: float = 0.3) -> T:
    """`probe`'s first truthy answer, or its last one once `within` seconds have passed."""
    deadline = time.monotonic() + within
    found = await probe()
    while not found and time.monotonic() < deadline:
        await asyncio.sleep(every)
        found = await probe()
    return found


def path_of(template: str, operation: dict[str, Any]) -> str:
    """An OpenAPI path template with a value of its type in each path parameter, for a request the route refuses
    before it looks anything up."""
    for parameter in (p for p in operation.get("parameters", []) if p["in"] == "path"):
        schema = parameter.get("schema", {})
        value = (schema.get("enum") or [None])[0] or {"uuid": str(uuid4()), "date": "2025-01-01"}.get(
            schema.get("format", ""), "1" if schema.get("type") == "integer" else "x"
        )
        template = template.replace("{" + parameter["name"] + "}", str(value))
    return template


# Tokens -------------------------------------------------------------------------------------------------------------


def _segment(part: dict[str, Any] | bytes) -> str:
    raw = part if isinstance(part, bytes) else json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(tenant: UUID, subject: str, **changes: Any) -> dict[str, Any]:
    """An integration token's claims as identity writes them (`auth.TokenIssuer`), with `changes` (None drops one)."""
    now = datetime.now(UTC)
    written = {
        "sub": subject,
        "tid": str(tenant),
        "practices": ALL_PRACTICES,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
        "jti": str(uuid4()),
        "kind": str(Kind.INTEGRATION),
        "roles": ["biller", "ehr-integration"],
    } | changes
    return {name: value for name, value in written.items() if value is not None}


def signed(key: Ed25519PrivateKey, body: dict[str, Any], *, kid: str | None = None) -> str:
    """EdDSA, as identity signs (with `kid` naming another key when given)."""
    head = {"alg": "EdDSA", "typ": "JWT", "kid": kid or key_id(key.public_key())}
    signing_input = f"{_segment(head)}.{_segment(body)}"
    return f"{signing_input}.{_segment(key.sign(signing_input.encode()))}"


def unsigned(body: dict[str, Any], kid: str) -> str:
    """`alg: none`: no signature at all."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_segment(body)}."


def hmac_with_public_key(keys: Keys, body: dict[str, Any]) -> str:
    """HS256 keyed with the public key's PEM, which every service holds: the algorithm-confusion forgery."""
    kid = key_id(keys.issuer.private_key.public_key())
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_segment(body)}"
    secret = keys.public_key_file.read_bytes()
    return f"{signing_input}.{_segment(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


# Topics -------------------------------------------------------------------------------------------------------------


async def every_topic(bootstrap_servers: str) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
    """Every record of every topic (Kafka's own aside), read from the beginning by one consumer of no group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        topics = [topic for topic in cluster.topics() if not topic.startswith("_")]
        partitions = [TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or set()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: dict[str, list[ConsumerRecord[bytes, bytes]]] = {topic: [] for topic in topics}
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            for part, records in (await consumer.getmany(timeout_ms=500, max_records=5000)).items():
                found[part.topic].extend(r for r in records if r.offset < end[part])
        return found
    finally:
        await consumer.stop()


@dataclass(frozen=True)
class Forged:
    event: ChargeCaptured
    event_id: UUID
    partition: int
    offset: int


async def foreign_practice_event(bootstrap_servers: str, ours: UUID, theirs: UUID) -> Forged:
    """One of `theirs`' captured charges (their practice, their patient) sent again as `ours` under new ids, as a
    producer that got the tenant wrong would: the event, its id and where it went."""
    records = await read_topic(bootstrap_servers, CAPTURED_TOPIC)
    record = next(
        r
        for r in records
        if header(r, "ce_type") == ChargeCaptured.event_type and header(r, "ce_tenantid") == str(theirs)
    )
    payload = json.loads(record.value or b"{}") | {"tenant_id": str(ours), "encounter_id": str(uuid4())}
    event = ChargeCaptured.model_validate(payload)
    event_id = uuid4()
    message = encode_event(event, EventMetadata(event_id, "reliability", datetime.now(UTC), correlation_id=event_id))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:
        headers = list(message.headers.items())
        sent = await producer.send_and_wait(
            CAPTURED_TOPIC, value=message.value, key=event.partition_key.encode(), headers=headers
        )
    finally:
        await producer.stop()
    return Forged(event, event_id, sent.partition, sent.offset)
