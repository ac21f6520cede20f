"""Heartbeats of periodic loops (the submission loop, the simulator's cycle), kept in the service's schema.

A loop records each pass it completes and the error of each pass that failed; `/readyz` reports a loop whose
last completed pass is older than three intervals (and half a minute), or whose last pass failed, so a stall is
seen, not guessed; and as stalled one that has not ended a pass at all, well or badly, for as long (a worker is
not ready then: readiness.py). Every pass is counted in the metrics; the table is written for every failed pass,
for the first good one after a failure, and otherwise at most every `WRITE_EVERY` seconds: a two-second loop wrote
a row every pass, a transaction that cost an idle worker more than the pass itself.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import telemetry
from claimstream_platform.db import heartbeats

STALE_AFTER_INTERVALS = 3
WRITE_EVERY = 10.0  # well inside the staleness bound of the shortest loop (three 2-s intervals and 30 s)


class Heartbeat:
    """One loop's heartbeat, as the loop's process writes it."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], loop: str, interval: float) -> None:
        self.sessionmaker, self.loop, self.interval = sessionmaker, loop, interval
        self._written_at: float | None = None  # monotonic time of the last row written
        self._failing = False  # what the last row written says

    async def beat(self, error: str | None = None) -> None:
        """A completed pass (error None) or a failed one (its error type or operator-facing reason; never PHI).
        A row that could not be written is tried again at the next pass."""
        telemetry.record_beat(self.loop, failed=error is not None)
        written_at = self._written_at
        if error is None and not self._failing and written_at is not None:
            if time.monotonic() - written_at < WRITE_EVERY:
                return
        await write(self.sessionmaker, self.loop, self.interval, error=error)
        self._written_at, self._failing = time.monotonic(), error is not None


async def write(
    sessionmaker: async_sessionmaker[AsyncSession], loop: str, interval: float, *, error: str | None = None
) -> None:
    """The loop's row: its interval, the last error (None: the pass completed) and when."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"interval_seconds": max(1, round(interval)), "last_error": error, "updated_at": now}
    if error is None:
        values["last_pass_at"] = now
    async with sessionmaker() as session:
        await session.execute(
            insert(heartbeats).values(loop=loop, **values).on_conflict_do_update(index_elements=["loop"], set_=values)
        )
        await session.commit()


async def loop_health(session: AsyncSession) -> dict[str, dict[str, Any]]:
    """Each loop's state: ok, the last completed pass, and the error that stops it, if any."""
    now = datetime.now(UTC)
    report = {}
    for row in (await session.execute(select(heartbeats))).all():
        limit = timedelta(seconds=row.interval_seconds * STALE_AFTER_INTERVALS + 30)
        stale = row.last_pass_at is None or now - row.last_pass_at > limit
        report[row.loop] = {
            "ok": not stale and row.last_error is None,
            # No pass ended lately, well or badly (a failed pass writes its row at once): the loop itself is stuck
            "stalled": now - row.updated_at > limit,
            "last_pass_at": row.last_pass_at.isoformat() if row.last_pass_at else None,
            "error": row.last_error,
        }
    return report
