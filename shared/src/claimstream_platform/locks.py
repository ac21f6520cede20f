"""Transaction-scoped PostgreSQL advisory locks: by name or by id, taken in one order in one round trip."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform.db import UnitOfWork


def advisory_lock_id(name: str) -> int:
    """A stable signed 64-bit id for pg advisory locks, derived from a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class Shared:
    """A lock name to be taken in share mode: the transactions that only read what the lock guards (each claim
    created reads its practice's word on a payer) take it together, and wait only for one that changes it, which takes
    the name exclusively. A transaction that asks for a name both ways holds it exclusively. Not a string: a set of
    names keeps `Shared(n)` and `n` apart, so neither mode is dropped for the other."""

    name: str


LockName = str | Shared


async def hold_names(uow: UnitOfWork, names: Iterable[LockName]) -> None:
    """Transaction-scoped advisory locks on `names` (hold_ids), exclusive but for the names given as `Shared`. The
    services share one database in the local stack, and advisory locks are the database's, not a schema's: a name
    begins with its service's."""
    exclusive: dict[int, bool] = {}
    for name in names:
        key = advisory_lock_id(name.name if isinstance(name, Shared) else name)
        exclusive[key] = exclusive.get(key, False) or not isinstance(name, Shared)
    await _hold(uow, exclusive)


async def hold_ids(uow: UnitOfWork, ids: Iterable[int]) -> None:
    """Transaction-scoped exclusive advisory locks on signed 64-bit `ids`, released when the transaction ends: in
    one round trip and in one order, so two transactions that each take a set of them at once cannot deadlock on each
    other. Those the transaction holds already are not asked for again: the consumer takes a batch's locks first,
    and each handler then names its own again."""
    await _hold(uow, dict.fromkeys(ids, True))


async def _hold(uow: UnitOfWork, exclusive: dict[int, bool]) -> None:
    """The locks of `exclusive` (id: whether exclusively) not held yet in that mode or a stronger one."""
    held = _held(uow.session)
    keys = sorted(key for key, alone in exclusive.items() if key not in held or (alone and not held[key]))
    if not keys:
        return
    modes = [exclusive[key] for key in keys]
    await uow.session.execute(_HOLD_IN_ORDER, {"keys": keys, "exclusive": modes})
    if not uow.session.in_nested_transaction():  # a savepoint's locks are released if it rolls back: not recorded
        held = _held(uow.session)  # the transaction the statement began, if none had
        held.update((key, alone or held.get(key, False)) for key, alone in zip(keys, modes, strict=True))


def _held(session: AsyncSession) -> dict[int, bool]:
    """The locks the session's transaction is known to hold, each with whether exclusively (none once it has ended
    and another began)."""
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_HELD)
    if transaction is None:
        return {}
    if known is None or known[0] is not transaction:
        known = session.info[_HELD] = (transaction, {})
    return known[1]


_HELD = "held_advisory_locks"


_HOLD_IN_ORDER = text(
    "SELECT CASE WHEN e THEN pg_advisory_xact_lock(k) ELSE pg_advisory_xact_lock_shared(k) END FROM"
    " (SELECT unnest(CAST(:keys AS bigint[])) AS k, unnest(CAST(:exclusive AS boolean[])) AS e ORDER BY k) ordered"
)
