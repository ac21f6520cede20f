"""Advisory locks (`locks.hold_names`): a lock the transaction holds is not asked for again, one taken in a savepoint
that rolled back is (PostgreSQL released it), and nothing is remembered into the next transaction; names given as
`Shared` are held by many transactions at once, and one that changes what they guard waits for them."""

import pytest
from claimstream_platform.db import UnitOfWork
from claimstream_platform.locks import Shared, advisory_lock_id, hold_names
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_MINE = text(
    "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks "
    "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 1"
)


async def _held(uow: UnitOfWork) -> set[int]:
    return {key for (key,) in await uow.session.execute(_MINE)}


def _lock_of(name: str) -> int:
    return advisory_lock_id(name)  # pg_locks shows its two 32-bit halves; _MINE joins them (the shift wraps)


async def test_a_held_lock_is_not_asked_again_but_a_savepoints_released_one_is(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    asked: list[str] = []
    async with UnitOfWork(sessionmaker) as uow:
        event.listen(uow.session.sync_session, "do_orm_execute", lambda state: asked.append(str(state.statement)))
        await hold_names(uow, ["a", "b"])
        await hold_names(uow, ["b", "a"])
        assert len([s for s in asked if "pg_advisory_xact_lock" in s]) == 1
        try:
            async with uow.savepoint():
                await hold_names(uow, ["c"])
                assert _lock_of("c") in await _held(uow)
                raise RuntimeError("the attempt fails")
        except RuntimeError:
            pass
        assert _lock_of("c") not in await _held(uow)  # released with the savepoint
        await hold_names(uow, ["c", "a"])
        assert {_lock_of(n) for n in "abc"} <= await _held(uow)
        await uow.commit()
        await hold_names(uow, ["a"])  # a new transaction holds nothing yet
        assert _lock_of("a") in await _held(uow)


_MODES = text(
    "SELECT (classid::bigint << 32) | objid::bigint, mode FROM pg_locks "
    "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 1"
)


async def _modes(uow: UnitOfWork) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for key, mode in await uow.session.execute(_MODES):
        found.setdefault(key, set()).add(mode)
    return found


async def test_shared_names_are_held_together_and_an_exclusive_one_waits_for_them(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with (
        UnitOfWork(sessionmaker) as reader,
        UnitOfWork(sessionmaker) as other,
        UnitOfWork(sessionmaker) as writer,
    ):
        await hold_names(reader, [Shared("word"), "own"])
        await hold_names(other, [Shared("word")])  # does not wait for the reader
        assert (await _modes(reader))[_lock_of("word")] == {"ShareLock"}
        assert (await _modes(other))[_lock_of("word")] == {"ShareLock"}
        await writer.session.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(DBAPIError, match="lock timeout"):
            await hold_names(writer, ["word"])  # waits for both readers: times out here


async def test_a_name_asked_both_ways_is_held_exclusively_and_a_shared_one_is_asked_again_to_change(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with UnitOfWork(sessionmaker) as uow:
        await hold_names(uow, [Shared("both"), "both", Shared("read")])
        await hold_names(uow, [Shared("both")])  # held exclusively: nothing asked
        modes = await _modes(uow)
        assert modes[_lock_of("both")] == {"ExclusiveLock"} and modes[_lock_of("read")] == {"ShareLock"}
        await hold_names(uow, ["read"])  # held shared only: asked exclusively now
        assert "ExclusiveLock" in (await _modes(uow))[_lock_of("read")]
