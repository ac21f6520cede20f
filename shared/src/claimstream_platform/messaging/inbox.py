"""The consumer's inbox: `(consumer, event id)` rows claimed in the transaction that applies the events, so a
redelivered event is skipped, and forgotten for an event that is dead-lettered, so a redelivery tries it again."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform import telemetry
from claimstream_platform.db import inbox
from claimstream_platform.locks import TAKE_IN_ORDER, LockName, taken, wanted_names


async def claim(
    session: AsyncSession, consumer: str, event_ids: list[Any], holding: Iterable[LockName] = ()
) -> set[Any]:
    """Insert inbox rows; returns the ids not processed before (the others are duplicates). The advisory locks the
    events' handlers take (`holding`, `locks.hold_names`) are taken first, in the same statement: a round trip fewer
    for each batch of a consumer whose service names its locks."""
    if not event_ids:
        return set()
    parameters = {"consumer": consumer, "event_ids": event_ids}
    locks = wanted_names(session, holding)
    if locks.keys:
        fresh = set((await session.execute(_CLAIM_HOLDING, parameters | locks.parameters())).scalars())
        taken(session, locks)
    else:
        fresh = set((await session.execute(_CLAIM, parameters)).scalars())
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
# The locks first, all of them (a CTE materialized once, before the insert reads a row of it), then the claim.
_CLAIM_HOLDING = text(
    f"WITH held AS MATERIALIZED (SELECT count(taken) FROM ({TAKE_IN_ORDER}) taking)"
    " INSERT INTO inbox (consumer, event_id)"
    " SELECT CAST(:consumer AS text), unnest(CAST(:event_ids AS uuid[])) FROM held"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)
