"""What a run left in the outboxes and on the topics: each outbox event's copies on its topic, read from the
beginning (no consumer group), and the rows still waiting to be published."""

from collections import Counter
from uuid import UUID

import asyncpg
from kafka_reader import header, read_topic

SCHEMAS = ("charge_capture", "claim_submission", "remittance_posting", "denial_management", "eligibility")


async def outbox_events(database_url: str, schemas: tuple[str, ...], tenants: list[UUID]) -> dict[str, str]:
    """The run's outbox events (event id -> topic) of the given services, published or not."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        found: dict[str, str] = {}
        for schema in schemas:
            query = f"SELECT event_id, topic FROM {schema}.outbox WHERE tenant_id = ANY($1)"  # noqa: S608 (ours)
            found.update({str(row["event_id"]): row["topic"] for row in await connection.fetch(query, tenants)})
        return found
    finally:
        await connection.close()


async def unpublished_for(database_url: str, schemas: tuple[str, ...], seconds: float) -> int:
    """Outbox rows (any tenant) waiting longer than `seconds` to be published (quarantined ones aside)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        waiting = 0
        for schema in schemas:
            waiting += await connection.fetchval(
                f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL AND quarantined_at IS NULL"  # noqa: S608
                " AND created_at < now() - make_interval(secs => $1)",
                seconds,
            )
        return waiting
    finally:
        await connection.close()


async def quarantined_of(database_url: str, schemas: tuple[str, ...], tenants: list[UUID]) -> list[str]:
    """The run's outbox rows set aside as never publishable, each as `schema: reason`."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        found: list[str] = []
        for schema in schemas:
            query = (
                f"SELECT quarantine_reason FROM {schema}.outbox"  # noqa: S608 (ours)
                " WHERE quarantined_at IS NOT NULL AND tenant_id = ANY($1)"
            )
            found += [f"{schema}: {row['quarantine_reason']}" for row in await connection.fetch(query, tenants)]
        return found
    finally:
        await connection.close()


async def copies_on_topics(bootstrap_servers: str, topics: set[str]) -> Counter[str]:
    """How many records of each event id the topics hold."""
    found: Counter[str] = Counter()
    for topic in sorted(topics):
        found.update(header(record, "ce_id") or "" for record in await read_topic(bootstrap_servers, topic))
    return found
