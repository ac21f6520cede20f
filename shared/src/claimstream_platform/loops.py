"""Periodic loops (the submission loop, the simulator's adjudication cycle): one pass every `interval` seconds
until stopped. A failed pass is logged by its type and tried again at the next tick; every pass is recorded as a
heartbeat, so `/readyz` and `/metrics` show a loop that stalls or keeps failing.

A pass sweeps every tenant's work, so it runs across tenants (`context.ACROSS_TENANTS`) on the across-tenants
role's sessions (`kit.Runtime.across_tenants`, which a loop's factory passes here: the app role would see no
tenant's rows), and writes each item as the tenant the item's row names."""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claimstream_platform import heartbeats
from claimstream_platform.context import ACROSS_TENANTS, acting_as

log = logging.getLogger(__name__)


class PeriodicLoop:
    """Subclasses give `name` and `run_once`; `failed` may say more than the error's type about a failure."""

    name = "loop"

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], interval: float) -> None:
        self._sessionmaker = sessionmaker
        self._interval = interval
        self._stopping = asyncio.Event()

    async def run_once(self) -> None:
        raise NotImplementedError

    def failed(self, failure: Exception) -> str:
        """Log a failed pass; what its heartbeat records (never PHI). The database or a partner may be away."""
        error = type(failure).__name__
        log.warning("loop pass failed", extra={"loop": self.name, "error": error})
        return error

    async def run(self) -> None:
        heartbeat = heartbeats.Heartbeat(self._sessionmaker, self.name, self._interval)
        while not self._stopping.is_set():
            error: str | None = None
            try:
                with acting_as(ACROSS_TENANTS):
                    await self.run_once()
            except Exception as failure:
                error = self.failed(failure)
            try:
                await heartbeat.beat(error)
            except Exception as failure:
                log.warning("heartbeat not recorded", extra={"loop": self.name, "error": type(failure).__name__})
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()
