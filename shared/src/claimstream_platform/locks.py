"""Transaction-scoped PostgreSQL advisory locks: by name or by id, taken in one order in one round trip."""

import hashlib
from collections.abc import Iterable

from sqlalchemy import text

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
    trip and in one order, so two transactions that each take a set of them at once cannot deadlock on each other."""
    keys = sorted(set(ids))
    if keys:
        await uow.session.execute(_HOLD_IN_ORDER, {"keys": keys})


_HOLD_IN_ORDER = text(
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) ordered"
)
