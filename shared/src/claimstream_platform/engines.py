"""A service's connections to PostgreSQL, and which failures are worth trying again.

Each service owns one PostgreSQL schema; its connections set `search_path` to that schema, so tables are named
without a schema and the same code runs against a per-service database in production.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from claimstream_platform import bundling
from claimstream_platform.context import ACROSS_TENANTS, Tenancy
from claimstream_platform.errors import TransientError
from claimstream_platform.transport import postgres_tls

W = TypeVar("W")
T = TypeVar("T")

# SQLSTATE classes that mean "try again": connection exceptions, insufficient resources, operator intervention
# (admin shutdown, crash shutdown, cannot connect now), serialization failure, deadlock, lock not available.
_TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01", "55P03")


def is_transient(error: BaseException) -> bool:
    """True for failures worth retrying: the database restarting or overloaded, a pool timeout, the network."""
    if isinstance(
        error, TransientError | OperationalError | InterfaceError | PoolTimeout | OSError | asyncio.TimeoutError
    ):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        state = getattr(error.orig, "sqlstate", None) or ""
        return state.startswith(_TRANSIENT_SQLSTATES)
    return False


def create_engine(database_url: str, *, schema: str, connections: int = 20) -> AsyncEngine:
    """Whose rows its connections see is the URL's role's to say: an app role's, one tenant's at a time; an
    across-tenants role's, every tenant's (docs/security.md).

    At most `connections`, opened as needed and kept: a pool that opened extra connections beyond its size and
    closed each on its return opened and closed one per transaction under load, for more CPU than the work.
    A connection is checked before use without a round trip (`_still_open`), not with SQLAlchemy's pre-ping, which
    costs three (begin, a query, rollback) on every checkout. Its connections send a transaction's first and last
    words with its BEGIN and COMMIT (`bundling`)."""
    url, tls = postgres_tls(database_url)  # libpq's sslmode and sslrootcert, as asyncpg takes them
    engine = create_async_engine(
        url,
        pool_size=connections,
        max_overflow=0,
        pool_timeout=10,
        pool_recycle=600,  # a connection a network middlebox dropped without a word is not kept for long
        connect_args={
            "server_settings": {"search_path": schema},
            "timeout": 5,
            "command_timeout": 30,
            "connection_class": bundling.BundlingConnection,
            **tls,
        },
    )
    event.listen(engine.sync_engine, "checkout", _still_open)
    event.listen(engine.sync_engine, "checkin", bundling.forget)
    event.listen(engine.sync_engine, "commit", bundling.forget_first)
    event.listen(engine.sync_engine, "rollback", bundling.forget_all)
    return engine


def one_off_engine(database_url: str) -> AsyncEngine:
    """An engine for one piece of work (a migration, the roles' set-up): SQLAlchemy's pool, TLS from the URL."""
    url, tls = postgres_tls(database_url)
    return create_async_engine(url, connect_args=tls)


def _still_open(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A connection the server closed while it sat in the pool (PostgreSQL restarted, or a backend terminated) is
    known to asyncpg as closed the moment the socket ends: the pool is told, drops it and hands out another (a
    fresh one, after a restart). One that breaks later fails its statement as a transient error (503, retried)."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A process's sessions on one of its engines; what they load stays readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def across_tenants_job(
    database_url: str,
    schema: str,
    unit_of_work: Callable[[async_sessionmaker[AsyncSession], Tenancy], W],
    job: Callable[[Callable[[], W]], Awaitable[T]],
) -> T:
    """A one-off command's work across tenants (the across-tenants role's URL): `job` is given a maker of units of
    work on an engine of its own (two connections at most), disposed of when it is done."""
    engine = create_engine(database_url, schema=schema, connections=2)
    try:
        made = sessions(engine)
        return await job(lambda: unit_of_work(made, ACROSS_TENANTS))
    finally:
        await engine.dispose()
