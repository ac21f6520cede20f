"""A service's connection pool: a connection the server closed is never handed out, and none is opened per
transaction under load."""

import asyncio

from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.engines import create_engine
from sqlalchemy import text


async def test_a_connection_the_server_closed_in_the_pool_is_replaced_without_an_error(stack: StackUnderTest) -> None:
    engine = create_engine(stack.database_url, schema="public", connections=2)
    admin = create_engine(stack.database_url, schema="public", connections=2)
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with admin.connect() as connection:  # as a restart or an operator would: the backend ends
            await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        gone = False
        for _ in range(100):  # until the terminated backend has gone (its socket closed on the pooled connection)
            async with admin.connect() as connection:
                gone = await connection.scalar(
                    text("SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = :pid)"), {"pid": first}
                )
            if gone:
                break
            await asyncio.sleep(0.05)
        assert gone
        await asyncio.sleep(0.1)  # the client's event loop reads the end of the socket
        async with engine.connect() as connection:  # the pooled connection is dropped at checkout, not used
            second = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_connections_are_kept_under_load_not_opened_per_transaction(stack: StackUnderTest) -> None:
    engine = create_engine(stack.database_url, schema="public", connections=3)
    try:
        pids = set()
        for _ in range(20):
            async with engine.connect() as a, engine.connect() as b, engine.connect() as c:
                for connection in (a, b, c):
                    pids.add(await connection.scalar(text("SELECT pg_backend_pid()")))
        assert len(pids) == 3  # every transaction ran on one of the three kept connections
    finally:
        await engine.dispose()
