"""Heartbeats of periodic loops (the submission loop, the simulator's cycle), kept in the service's schema.

A loop records each pass it completes and the error of each pass that failed; `/readyz` reports a loop whose
last completed pass is older than three intervals, or whose last pass failed, so a stall is seen, not guessed.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import telemetry
from claimstream_platform.db import heartbeats

STALE_AFTER_INTERVALS = 3


async def beat(
    sessionmaker: async_sessionmaker[AsyncSession], loop: str, interval: float, *, error: str | None = None
) -> None:
    """A completed pass (error None) or a failed one (its error type or operator-facing reason; never PHI)."""
    telemetry.record_beat(loop, failed=error is not None)
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
            "last_pass_at": row.last_pass_at.isoformat() if row.last_pass_at else None,
            "error": row.last_error,
        }
    return report
