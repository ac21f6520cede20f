"""The consumer's inbox: `(consumer, event id)` rows claimed in the transaction that applies the events, so a
redelivered event is skipped, and forgotten for an event that is dead-lettered, so a redelivery tries it again."""

from typing import Any

from sqlalchemy import String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform import telemetry
from claimstream_platform.db import inbox


async def claim(session: AsyncSession, consumer: str, event_ids: list[Any]) -> set[Any]:
    """Insert inbox rows; returns the ids not processed before (the others are duplicates)."""
    if not event_ids:
        return set()
    result = await session.execute(_CLAIM, {"consumer": consumer, "event_ids": event_ids})
    fresh = set(result.scalars())
    duplicates = len(event_ids) - len(fresh)
    if duplicates:
        telemetry.DUPLICATES_SKIPPED.add(duplicates, {"consumer": consumer})
    return fresh


async def forget(session: AsyncSession, consumer: str, event_id: Any) -> None:
    await session.execute(delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id))


# One statement for any number of ids (an array parameter, unnested), compiled once: a multi-row VALUES would be
# compiled anew for every batch size, and compiling cost more than the insert.
_CLAIM = (
    insert(inbox)
    .from_select(
        ["consumer", "event_id"],
        select(bindparam("consumer", type_=String), func.unnest(bindparam("event_ids", type_=ARRAY(PgUUID)))),
    )
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)
