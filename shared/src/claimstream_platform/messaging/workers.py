"""Running a process's workers (consumers, relays, loops) together: one failing part never takes the others down."""

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger(__name__)


async def run_until_stopped(
    *workers: Any, first_backoff: float = 1.0, max_backoff: float = 30.0, stopped: asyncio.Event | None = None
) -> None:
    """Run consumers, relays and loops together until each is stopped. A worker that crashes is logged and
    started again with a growing delay: one failing part never takes the others down. `stopped`, set with the
    workers' `stop()` (the process told to end), ends a crashed worker's wait for good."""
    stopped = asyncio.Event() if stopped is None else stopped
    async with asyncio.TaskGroup() as group:
        for worker in workers:
            group.create_task(_keep_running(worker, first_backoff, max_backoff, stopped))


async def _keep_running(worker: Any, first_backoff: float, max_backoff: float, stopped: asyncio.Event) -> None:
    backoff = first_backoff
    while True:
        started = time.monotonic()
        try:
            await worker.run()
            return  # run() returns only once stop() was called
        except asyncio.CancelledError as error:
            if cancelled_from_outside():
                raise
            # A library task's cancellation that escaped `run()`: left to end the task, the TaskGroup would have
            # taken it for a deliberate cancel, and the worker would have stopped for good without a word.
            _crashed(worker, error)
        except Exception as error:
            _crashed(worker, error)
        if cancelled_from_outside():  # a stop asked for while the worker cleaned up, which a library swallowed
            raise asyncio.CancelledError
        if time.monotonic() - started > max_backoff:  # it ran a good while: a crash of its own, not of a crash loop
            backoff = first_backoff
        if await _stopped_within(stopped, backoff):
            return  # started again, a worker whose broker is down would fail to start, and never end
        backoff = min(backoff * 2, max_backoff)


async def _stopped_within(stopped: asyncio.Event, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await stopped.wait()
    except TimeoutError:
        return False
    return True


def cancelled_from_outside() -> bool:
    """Whether the running task was asked to stop (`Task.cancel`), as opposed to having met a cancellation that an
    awaited library task raised, which is that library's failure."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _crashed(worker: Any, error: BaseException) -> None:
    log.error("worker crashed; restarting", extra={"worker": type(worker).__name__, "error": type(error).__name__})
