"""Wakes an idle outbox relay when a transaction that wrote outbox rows commits, instead of having it ask the table
twenty times a second.

The unit of work sends `NOTIFY outbox_<schema>` when it has written rows (`db.OUTBOX_WRITTEN`, in its COMMIT's
message: `bundling`); PostgreSQL delivers it when the transaction commits, and never for one rolled back. The relay
listens on a connection of its own and, between batches, waits for a notification or at most `fallback` seconds: a
notification lost with a connection that died silently is still published within that time (an operator's
`claimstream outbox release` notifies too). Without it every idle worker process of every service spent a few
percent of a core on empty polls.
"""

import asyncio
import logging
from contextlib import suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class Wakeup:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._notified = asyncio.Event()
        self._connection: AsyncConnection | None = None
        self._listening = False

    async def wait(self, fallback: float, stopping: asyncio.Event, gather: float = 0.0) -> None:
        """Until a commit wrote outbox rows and `gather` seconds more (the next moment's commits join its batch), the
        relay is stopping, or `fallback` seconds have passed."""
        await self._listen()
        waits = [asyncio.ensure_future(self._notified.wait()), asyncio.ensure_future(stopping.wait())]
        try:
            await asyncio.wait(waits, timeout=fallback, return_when=asyncio.FIRST_COMPLETED)
            if gather and self._notified.is_set():
                await asyncio.wait(waits[1:], timeout=gather)  # unless the relay is stopping
        finally:
            for waiting in waits:
                waiting.cancel()
        self._notified.clear()  # what it and the commits gathered announced is read by the next batch, which runs now

    async def close(self) -> None:
        connection, self._connection, self._listening = self._connection, None, False
        if connection is not None:
            with suppress(Exception):
                await connection.close()

    async def _listen(self) -> None:
        """Listen on the schema's channel, once; a failure leaves the relay on its fallback and is tried again."""
        if self._listening:
            return
        await self.close()  # a connection that died is given back to the pool, which drops it
        try:
            self._connection = connection = await self.engine.connect()
            driver: Any = (await connection.get_raw_connection()).driver_connection
            schema = await driver.fetchval("SELECT current_schema()")
            await driver.add_listener(f"outbox_{schema}", self._announced)
            driver.add_termination_listener(self._lost)
            self._listening = True
            self._notified.set()  # a commit between the relay's last batch and this LISTEN was not announced: look
        except Exception as error:  # the database is down: the relay's own polls say so and wait for it
            log.debug("outbox wakeup not listening", extra={"error": type(error).__name__})

    def _announced(self, *_: object) -> None:
        self._notified.set()

    def _lost(self, *_: object) -> None:
        self._notified.set()  # the connection died: poll now, and listen again on the next wait
        self._listening = False
