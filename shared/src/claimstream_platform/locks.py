"""Transaction-scoped PostgreSQL advisory locks: by name or by id, taken in one order in one round trip."""

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform.db import UnitOfWork


def advisory_lock_id(name: str) -> int:
    """A stable signed 64-bit id for pg advisory locks, derived from a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def hold_names(uow: UnitOfWork, names: Iterable[str]) -> None:
    """Transaction-scoped advisory locks on `names` (hold_ids). The services share one database in the local stack,
    and advisory locks are the database's, not a schema's: a name begins with its service's."""
    await hold_ids(uow, map(advisory_lock_id, names))


async def hold_ids(uow: UnitOfWork, ids: Iterable[int]) -> None:
    """Transaction-scoped advisory locks on signed 64-bit `ids`, released when the transaction ends: in one round
    trip and in one order, so two transactions that each take a set of them at once cannot deadlock on each other.
    Those the transaction holds already are not asked for again: the consumer takes a batch's locks first, and each
    handler then names its own again."""
    held = _held(uow.session)
    keys = sorted(set(ids) - held)
    if not keys:
        return
    await uow.session.execute(_HOLD_IN_ORDER, {"keys": keys})
    if not uow.session.in_nested_transaction():  # a savepoint's locks are released if it rolls back: not recorded
        _held(uow.session).update(keys)


def _held(session: AsyncSession) -> set[int]:
    """The locks the session's transaction is known to hold (none once it has ended and another began)."""
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_HELD)
    if transaction is None:
        return set()
    if known is None or known[0] is not transaction:
        known = session.info[_HELD] = (transaction, set())
    return known[1]


_HELD = "held_advisory_locks"


_HOLD_IN_ORDER = text(
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) ordered"
)
