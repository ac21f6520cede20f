"""Transaction-scoped PostgreSQL advisory locks: by name or by id, taken in one order in one round trip."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Wanted:
    """Advisory locks a transaction does not hold yet: their ids in the order they are taken, and whether each is
    taken exclusively. `TAKE_IN_ORDER` takes them, alone (`hold_names`) or ahead of another statement in the same
    round trip (the consumer's inbox claim); `taken` records them once it has run."""

    keys: list[int]
    exclusive: list[bool]

    def parameters(self) -> dict[str, list[Any]]:
        return {"keys": self.keys, "exclusive": self.exclusive}


async def hold_names(uow: UnitOfWork, names: Iterable[LockName]) -> None:
    """Transaction-scoped advisory locks on `names` (hold_ids), exclusive but for the names given as `Shared`. The
    services share one database in the local stack, and advisory locks are the database's, not a schema's: a name
    begins with its service's."""
    await _hold(uow.session, wanted_names(uow.session, names))


async def hold_ids(uow: UnitOfWork, ids: Iterable[int]) -> None:
    """Transaction-scoped exclusive advisory locks on signed 64-bit `ids`, released when the transaction ends: in
    one round trip and in one order, so two transactions that each take a set of them at once cannot deadlock on each
    other. Those the transaction holds already are not asked for again: the consumer takes a batch's locks first,
    and each handler then names its own again."""
    await _hold(uow.session, _wanted(uow.session, dict.fromkeys(ids, True)))


def wanted_names(session: AsyncSession, names: Iterable[LockName]) -> Wanted:
    """The locks of `names` the session's transaction does not hold yet in that mode or a stronger one."""
    exclusive: dict[int, bool] = {}
    for name in names:
        key = advisory_lock_id(name.name if isinstance(name, Shared) else name)
        exclusive[key] = exclusive.get(key, False) or not isinstance(name, Shared)
    return _wanted(session, exclusive)


def taken(session: AsyncSession, wanted: Wanted) -> None:
    """`wanted` is held now, by the transaction its statement ran in (or began)."""
    if not session.in_nested_transaction():  # a savepoint's locks are released if it rolls back: not recorded
        held = _held(session)
        held.update(
            (key, alone or held.get(key, False)) for key, alone in zip(wanted.keys, wanted.exclusive, strict=True)
        )


def _wanted(session: AsyncSession, exclusive: dict[int, bool]) -> Wanted:
    held = _held(session)
    keys = sorted(key for key, alone in exclusive.items() if key not in held or (alone and not held[key]))
    return Wanted(keys, [exclusive[key] for key in keys])


async def _hold(session: AsyncSession, wanted: Wanted) -> None:
    if wanted.keys:
        await session.execute(_HOLD_IN_ORDER, wanted.parameters())
        taken(session, wanted)


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


# Sorted by id, then taken one by one as the sorted rows are read: every transaction takes its set in one order.
TAKE_IN_ORDER = (
    "SELECT CASE WHEN e THEN pg_advisory_xact_lock(k) ELSE pg_advisory_xact_lock_shared(k) END AS taken FROM"
    " (SELECT unnest(CAST(:keys AS bigint[])) AS k, unnest(CAST(:exclusive AS boolean[])) AS e ORDER BY k) ordered"
)
_HOLD_IN_ORDER = text(TAKE_IN_ORDER)
