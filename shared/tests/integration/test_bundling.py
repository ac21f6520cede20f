"""A transaction's first and last words go with its BEGIN and its COMMIT (`bundling`): the tenant its unit of work
names, in every transaction it runs and in its savepoints, and the notification of what it wrote, at its commit
alone; no statement of their own, and nothing left on a pooled connection for whoever uses it next."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.bundling import first_with_begin, last_with_commit
from claimstream_platform.context import NO_TENANT, Tenancy
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, one_off_engine
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

A = uuid4()
TENANT = text("SELECT current_setting('claimstream.tenant_id', true)")
NONE = (None, "")  # never set on the connection, or set and ended with its transaction


@pytest.fixture
async def engine(stack: StackUnderTest) -> AsyncIterator[AsyncEngine]:
    """One connection, so each transaction below runs on the one before's."""
    engine = create_engine(stack.database_url, schema="public", connections=1)
    yield engine
    await engine.dispose()


@pytest.fixture
async def heard(stack: StackUnderTest) -> AsyncIterator[tuple[str, list[str]]]:
    """A channel of the test's own, and what a listener on another connection hears on it."""
    channel, payloads = f"bundling_{uuid4().hex}", []
    listener = create_engine(stack.database_url, schema="public", connections=1)
    async with listener.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection
        await driver.add_listener(channel, lambda *args: payloads.append(args[-1]))
        yield channel, payloads
    await listener.dispose()


def statements_sent(engine: AsyncEngine) -> list[str]:
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


async def test_the_tenant_needs_no_statement_of_its_own(engine: AsyncEngine) -> None:
    sent = statements_sent(engine)
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        assert await uow.session.scalar(TENANT) == str(A)
    assert len(sent) == 1  # the query alone: the setting went with the BEGIN


async def test_first_words_of_two_kinds_go_with_one_begin_each_once(engine: AsyncEngine) -> None:
    sent = statements_sent(engine)
    count = "(coalesce(nullif(current_setting('bundling.n', true), ''), '0')::int + 1)::text"
    counted = f"SELECT set_config('bundling.n', {count}, true);"  # one more each time it is said
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        connection = (await uow.session.connection()).sync_connection
        assert first_with_begin(connection, counted) and first_with_begin(connection, counted)  # the tenant's kept
        settings = text("SELECT current_setting('claimstream.tenant_id'), current_setting('bundling.n')")
        assert tuple((await uow.session.execute(settings)).one()) == (str(A), "1")  # said once
        assert first_with_begin(connection, counted) is False  # in its transaction: too late for its BEGIN
    assert len(sent) == 1


async def test_a_session_transaction_begins_with_no_first_words_told_before_it(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        first_with_begin(connection.sync_connection, "SELECT set_config('bundling.stale', 'said', true);")
        async with AsyncSession(bind=connection) as session:  # its transaction's start says its own tenant afresh
            await session.connection()
            assert await session.scalar(text("SELECT current_setting('bundling.stale', true)")) in NONE


async def test_a_rolled_back_transactions_last_words_are_never_said_on_a_connection_that_outlives_it(
    engine: AsyncEngine, heard: tuple[str, list[str]]
) -> None:
    channel, payloads = heard
    async with engine.connect() as connection:  # not checked in between the transactions
        session = AsyncSession(bind=connection)
        await session.execute(text("SELECT 1"))
        await last_with_commit(session, f"SELECT pg_notify('{channel}', 'rolled back');")
        await session.rollback()
        await session.execute(text("SELECT 1"))
        await last_with_commit(session, f"SELECT pg_notify('{channel}', 'committed');")
        await session.commit()
        await session.close()
    await _until(lambda: "committed" in payloads)
    assert payloads == ["committed"]


async def test_every_transaction_and_savepoint_of_a_unit_of_work_names_its_tenant(engine: AsyncEngine) -> None:
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        assert await uow.session.scalar(TENANT) == str(A)
        await uow.commit()
        assert await uow.session.scalar(TENANT) == str(A)  # the next transaction
        async with uow.session.begin_nested():
            assert await uow.session.scalar(TENANT) == str(A)
        await uow.session.rollback()
        assert await uow.session.scalar(TENANT) == str(A)


async def test_a_pooled_connection_carries_no_tenant_to_its_next_user(engine: AsyncEngine) -> None:
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        assert await uow.session.scalar(TENANT) == str(A)
    async with UnitOfWork(async_sessionmaker(engine), NO_TENANT) as uow:
        assert await uow.session.scalar(TENANT) in NONE
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        await uow.session.connection()  # the transaction begins and is told its tenant; no statement, no BEGIN
    async with engine.begin() as connection:  # a transaction of no unit of work, on the same connection
        assert await connection.scalar(TENANT) in NONE


async def test_a_session_that_outlives_no_transaction_of_its_connection_leaves_it_no_tenant(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:  # not checked in between the two transactions
        session = AsyncSession(bind=connection)
        session.info["tenancy"] = Tenancy.of(A)
        await session.connection()  # begins, and is told its tenant; no statement, no BEGIN
        await session.close()
        assert await connection.scalar(TENANT) in NONE


async def test_a_connection_of_another_kind_sends_the_tenant_as_a_statement(stack: StackUnderTest) -> None:
    engine = one_off_engine(stack.database_url)  # plain asyncpg connections
    sent = statements_sent(engine)
    try:
        async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
            assert await uow.session.scalar(TENANT) == str(A)
    finally:
        await engine.dispose()
    assert len(sent) == 2


async def test_a_word_that_fails_leaves_no_transaction_open_on_the_connection(engine: AsyncEngine) -> None:
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        with pytest.raises(DBAPIError):
            await uow.session.execute(text("SELECT 1 / 0"))  # the transaction is aborted
        await last_with_commit(uow.session, "SELECT pg_notify('bundling_never', '');")
        with pytest.raises(DBAPIError):  # the word fails, and the COMMIT after it in its message never runs
            await uow.session.commit()
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:  # the same connection, usable
        assert await uow.session.scalar(TENANT) == str(A)


async def test_the_last_word_is_said_at_commit_once_and_never_for_a_rollback(
    engine: AsyncEngine, heard: tuple[str, list[str]]
) -> None:
    channel, payloads = heard
    sent = statements_sent(engine)
    notify = f"SELECT pg_notify('{channel}', 'committed');"
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        await uow.session.scalar(TENANT)
        await last_with_commit(uow.session, notify)
        await last_with_commit(uow.session, notify)  # said again
        await uow.session.commit()
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        await last_with_commit(uow.session, f"SELECT pg_notify('{channel}', 'first');")  # before any statement
        await uow.session.commit()
    async with UnitOfWork(async_sessionmaker(engine), Tenancy.of(A)) as uow:
        await uow.session.scalar(TENANT)
        await last_with_commit(uow.session, f"SELECT pg_notify('{channel}', 'rolled back');")
        await uow.session.rollback()
        await uow.session.scalar(TENANT)  # the next transaction, on the same connection, says nothing of it
        await last_with_commit(uow.session, f"SELECT pg_notify('{channel}', 'last');")
        await uow.session.commit()
    await _until(lambda: "last" in payloads)  # one connection's notifications arrive in the order of its commits
    assert payloads == ["committed", "first", "last"]
    assert len(sent) == 4  # the three queries, and the notification said before any: the others went with COMMIT


async def _until(condition: Any) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.02)
