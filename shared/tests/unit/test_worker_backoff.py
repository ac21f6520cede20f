"""A crashed worker is started again after a delay that doubles while it keeps crashing, up to a ceiling, and that
starts over once it has run longer than the ceiling: a worker restarted for a fault of the moment (a wedged Kafka
client, messaging/partitions.py) is not held back by crashes of long ago. A process told to stop while a worker waits
is not held by it."""

import asyncio
import time

from claimstream_platform.messaging.workers import run_until_stopped


class TimedWorker:
    """Runs for each of `lasting` seconds in turn and crashes, but for the last run, which ends as a stop does;
    notes when each run started and ended."""

    def __init__(self, lasting: list[float]) -> None:
        self.lasting = lasting
        self.runs: list[tuple[float, float]] = []

    async def run(self) -> None:
        started = time.monotonic()
        await asyncio.sleep(self.lasting[len(self.runs)])
        self.runs.append((started, time.monotonic()))
        if len(self.runs) == len(self.lasting):
            return
        raise RuntimeError("boom")


async def test_a_worker_that_ran_a_good_while_before_it_crashed_is_started_again_at_once() -> None:
    worker = TimedWorker([0] * 7 + [0.6, 0])  # seven crashes in a row (the delay up to its ceiling), then a long run
    await asyncio.wait_for(run_until_stopped(worker, first_backoff=0.01, max_backoff=0.5), timeout=10)
    waits = [later[0] - earlier[1] for earlier, later in zip(worker.runs, worker.runs[1:], strict=False)]
    assert waits[6] >= 0.45  # the crash loop waited its ceiling
    assert waits[7] < 0.25  # a run longer than the ceiling: its crash waits the first delay again


async def test_a_stop_while_a_crashed_worker_waits_ends_it_without_a_new_start() -> None:
    worker, stopped = TimedWorker([0, 0]), asyncio.Event()
    running = asyncio.create_task(run_until_stopped(worker, first_backoff=30, stopped=stopped))
    while not worker.runs:
        await asyncio.sleep(0.01)
    stopped.set()  # as the process's SIGTERM does, with each worker's stop()
    await asyncio.wait_for(running, timeout=2)
    assert len(worker.runs) == 1  # never started again: with its broker down, a new start would fail for ever
