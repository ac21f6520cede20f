"""Running a process's workers (consumers, relays, loops) together: one failing part never takes the others down."""

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


async def run_until_stopped(*workers: Any, first_backoff: float = 1.0) -> None:
    """Run consumers, relays and loops together until each is stopped. A worker that crashes is logged and
    started again with a growing delay: one failing part never takes the others down."""
    async with asyncio.TaskGroup() as group:
        for worker in workers:
            group.create_task(_keep_running(worker, first_backoff))


async def _keep_running(worker: Any, first_backoff: float, *, max_backoff: float = 30.0) -> None:
    backoff = first_backoff
    while True:
        try:
            await worker.run()
            return  # run() returns only once stop() was called
        except Exception as error:
            log.error(
                "worker crashed; restarting", extra={"worker": type(worker).__name__, "error": type(error).__name__}
            )
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)
