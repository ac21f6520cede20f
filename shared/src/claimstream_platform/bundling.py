"""A transaction's first and last words sent with its BEGIN and its COMMIT: one message each, where a statement of
its own cost a round trip more (the driver's, the event loop's and the server's work for a message; the profiles in
docs/performance.md). Every transaction of every service says two such things:

- first, the tenant it works for (`row_security`), which the driver used to send right after BEGIN;
- last, when it wrote to its outbox, the notification that wakes the relay (`db.OUTBOX_WRITTEN`), which
  PostgreSQL delivers at commit anyway.

The outbox relay says one of each too: first, its try for its turn (`outbox.take_turn`); last, the rows it
published marked sent.

asyncpg sends BEGIN and COMMIT as simple queries, which may hold several statements; SQLAlchemy sends BEGIN just
before the transaction's first statement. The connections of `engines.create_engine` are `BundlingConnection`s; on any
other (a one-off engine's) the words go as statements of their own, as they do where a word cannot wait.
"""

import contextlib
from typing import Any

import asyncpg
from sqlalchemy import Connection, Executable, text
from sqlalchemy.ext.asyncio import AsyncSession


class BundlingConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg has no type hints
    """Each word is said once: the first goes with the next BEGIN, the last with the next COMMIT. Every BEGIN starts
    afresh, a session's transaction begins by dropping first words told before it (`first_with_begin(afresh=True)`),
    a commit drops the first words (`forget_first`), a rollback and the pool's checkin all (`forget_all`, `forget`),
    so nothing told for one transaction reaches another: not the last words of one rolled back, nor the first of one
    that ran no statement (and so sent no BEGIN)."""

    _first: tuple[str, ...] = ()  # each in the order told, each statement once
    _last: tuple[str, ...] = ()

    def say_first(self, statement: str) -> None:
        if statement and statement not in self._first:
            self._first += (statement,)

    def say_last(self, statement: str) -> None:
        if statement not in self._last:
            self._last += (statement,)

    def forget(self) -> None:
        self._first, self._last = (), ()

    def forget_first(self) -> None:
        self._first = ()

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        if args or not query.startswith(("BEGIN", "COMMIT")):
            return await self._send(query, *args, timeout=timeout)
        first, last = self._first, self._last
        self.forget()  # each said once: a BEGIN starts afresh, and a COMMIT ends what was told
        if query.startswith("BEGIN") and first:
            message = " ".join((f"{query.rstrip(';')};", *first))
        elif query.startswith("COMMIT") and last:
            message = " ".join((*last, query))
        else:
            return await self._send(query, timeout=timeout)
        try:
            return await self._send(message, timeout=timeout)
        except Exception:
            await self._end_what_failed()
            raise

    async def _send(self, query: str, *args: Any, timeout: float | None = None) -> str:
        status: str = await super().execute(query, *args, timeout=timeout)
        return status

    async def _end_what_failed(self) -> None:
        """A word that failed (in a transaction already aborted, or cut off by a timeout) stopped its message there:
        the server's transaction is still open, failed, though the driver has let go of it. Rolled back, or the
        connection's next user would find itself in it."""
        if self.is_in_transaction() and not self.is_closed():
            with contextlib.suppress(Exception):
                await self._send("ROLLBACK;")


def first_with_begin(connection: Connection, statement: str, *, afresh: bool = False) -> bool:
    """`statement` (ending with ";", or empty) with the BEGIN of the transaction `connection` is about to start,
    after any said before it unless `afresh` (the start of a session's transaction, where the tenant is said); False
    when it cannot go there (a connection of another kind, or in a transaction already: a savepoint's)."""
    driver = _bundling(connection.connection.driver_connection)
    if driver is None or driver.is_in_transaction():
        return False
    if afresh:
        driver.forget_first()
    driver.say_first(statement)
    return True


async def last_with_commit(
    session: AsyncSession, statement: str, now: tuple[Executable, dict[str, Any]] | None = None
) -> None:
    """`statement` (ending with ";") with the COMMIT of the session's transaction; now when it cannot go there (a
    connection of another kind, or a transaction that has sent nothing yet, whose BEGIN would drop it): `now`, a
    statement with its parameters, when given (a statement whose values are literals is a new text each time, which
    the driver would prepare anew), else the statement itself."""
    connection = await session.connection()
    driver = _bundling((await connection.get_raw_connection()).driver_connection)
    if driver is not None and driver.is_in_transaction():
        driver.say_last(statement)
    elif now is not None:
        await session.execute(*now)
    else:
        await session.execute(text(statement))


def forget(dbapi_connection: Any, _record: Any) -> None:
    """The pool's checkin: what a transaction that ran no statement was told is not said in the next one."""
    if dbapi_connection is not None:  # None: the connection was invalidated, and is closed
        driver = _bundling(dbapi_connection.driver_connection)
        if driver is not None:
            driver.forget()


def forget_first(connection: Connection) -> None:
    """A transaction's commit (before the driver's, whose COMMIT says the last words): first words told for a
    transaction that sent no BEGIN are not said in the next one on the same connection (a session bound to a
    connection that outlives it is not checked in between)."""
    driver = _told(connection)
    if driver is not None:
        driver.forget_first()


def forget_all(connection: Connection) -> None:
    """A transaction's rollback: nothing it was told, first or last, is said in the next one on the same connection
    (the relay's mark of what it published is a last word)."""
    driver = _told(connection)
    if driver is not None:
        driver.forget()


def _told(connection: Connection) -> BundlingConnection | None:
    if connection.invalidated or connection.closed:
        return None
    return _bundling(connection.connection.driver_connection)


def _bundling(driver: object) -> BundlingConnection | None:
    # issubclass, not isinstance: asyncpg's metaclass answers isinstance for any of its connections
    return driver if issubclass(type(driver), BundlingConnection) else None  # type: ignore[return-value]
