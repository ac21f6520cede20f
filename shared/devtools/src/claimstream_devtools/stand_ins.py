"""Stand-ins for service tests: a partner that answers real-time exchanges as told, and a wait for a transaction
to block on an advisory lock (for tests of two transactions at once)."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from claimstream_platform.db import UnitOfWork
from claimstream_platform.errors import TransientError
from sqlalchemy import text


class StandInClearinghouse:
    """For service tests of a real-time exchange (270, 278): answers every interchange with `answers` (or fails as
    an outage would, with the partner's Retry-After) and keeps what it was sent."""

    def __init__(self) -> None:
        self.answers: Callable[[str], list[str]] = lambda _sent: []
        self.sent: list[str] = []
        self.down = False

    async def ask(self, interchange: str) -> list[str]:
        if self.down:
            raise TransientError("partner unreachable", retry_after=7)
        self.sent.append(interchange)
        return self.answers(interchange)


async def waiting_for_a_lock(make_uow: Callable[[], UnitOfWork], task: asyncio.Task[Any]) -> None:
    """Once `task` waits for an advisory lock, or has finished (bounded): for a test of two transactions at once,
    which lets the first commit only after the second has done all it would do without waiting for it."""
    deadline = time.monotonic() + 10
    while not task.done() and time.monotonic() < deadline:
        async with make_uow() as uow:
            query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            if await uow.session.scalar(text(query)):
                return
        await asyncio.sleep(0.02)
