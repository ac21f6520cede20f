"""A rebuild's progress: the bar on the terminal, and the run recorded in the live schema's `rebuilds` table, where
installation operators follow it (`GET /v1/rebuilds`, the console's rebuild page).

The run's row is written by the owner (the role that runs the rebuild) on short transactions of its own, never in
the replay's one bulk transaction, which commits only at its end. The reading only adds to a counter: a task writes
the row once a second, on the same event loop, while the reading waits on Kafka or the COPY; a new step is written
at once. A write that fails is logged and left (progress is for watching: it must not fail the rebuild), and the row
then looks stalled until one succeeds (runs.STALLED_AFTER). A run that fails writes `failed` with its error's type,
one that refuses writes `refused` with its reason (partitions and counts); one killed outright writes nothing, and
its row goes stalled."""

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from uuid import uuid4

from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import create_engine

from projection import runs
from projection.repository import ProjectionWork, swap
from projection.settings import ProjectionSettings

log = logging.getLogger(__name__)
EVERY = 1.0  # seconds between the row's writes while the rebuild runs
OUTCOME_LENGTH = 300  # the column's


class Run:
    """One rebuild's row as the rebuild moves on: its phase, the records to read and those read, and how it ended."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.id, self._sessions, self._lock = uuid4(), sessions, asyncio.Lock()
        self.phase, self.done = runs.PREPARING, 0
        self.total: int | None = None  # known once the reading has asked the topics where they end
        self.outcome: str | None = None

    def reading(self, total: int) -> None:
        self.phase, self.total = runs.READING, total

    def advance(self, count: int) -> None:
        self.done += count

    def finished(self, events: int, tenants_differed: int) -> None:
        self.outcome = (
            f"{self.done:,} records read, {events:,} events replayed; "
            f"{tenants_differed} tenant(s) differed from the live model before the swap"
        )

    async def enter(self, phase: str, outcome: str | None = None) -> None:
        """A step begins (or the run ends): written at once."""
        self.phase = phase
        if outcome is not None:
            self.outcome = outcome[:OUTCOME_LENGTH]
        await self.write()

    async def begin(self) -> None:
        async with ProjectionWork(self._sessions) as uow:
            await uow.rebuilds.begin(self.id, self.phase)
            await uow.commit()

    async def write(self) -> None:
        """The run as it stands when the write's turn comes: a write that waited for another writes the latest state,
        never an older one over a newer."""
        try:
            async with self._lock, ProjectionWork(self._sessions) as uow:
                await uow.rebuilds.note(self.id, self.phase, self.total, self.done, self.outcome)
                await uow.commit()
        except Exception as error:
            log.warning("rebuild progress not written", extra={"error": type(error).__name__})

    async def keep_written(self) -> None:
        while True:
            await asyncio.sleep(EVERY)
            await self.write()


@asynccontextmanager
async def recorded(settings: ProjectionSettings) -> AsyncIterator[Run]:
    """A run recorded from its start to its end: `finished` when the block completes, `refused` when it exits with
    a reason (SystemExit), `failed` when anything else ends it."""
    engine = create_engine(settings.migration_url, schema=settings.database_schema, connections=2)
    try:
        run = Run(swap.sessions(engine))
        await run.begin()  # before any work: a live schema not migrated this far stops the rebuild here
        writer = asyncio.create_task(run.keep_written())
        phase, outcome = runs.FAILED, None
        try:
            yield run
            phase = runs.FINISHED
        except SystemExit as refusal:
            phase, outcome = runs.REFUSED, str(refusal.code)
            raise
        except BaseException as error:
            outcome = type(error).__name__  # its type only: an error's text may quote a row
            raise
        finally:
            writer.cancel()
            with suppress(asyncio.CancelledError):
                await writer
            await run.enter(phase, outcome)
    finally:
        await engine.dispose()


class Progress:
    """The reading's progress: a bar on stderr (done of total, and the rate so far) when shown, and the run's counts
    when it is recorded."""

    def __init__(self, total: int, show: bool, run: Run | None = None) -> None:
        self.total, self.count, self.show, self.started = total, 0, show, time.perf_counter()
        self.run = run
        if run is not None:
            run.reading(total)

    @property
    def rate(self) -> float:
        return self.count / max(time.perf_counter() - self.started, 1e-9)

    def advance(self, count: int) -> None:
        self.count += count
        if self.run is not None:
            self.run.advance(count)
        if self.show:
            share = self.count / self.total if self.total else 1.0
            bar = "#" * int(share * 30)
            sys.stderr.write(f"\r[{bar:<30}] {share:6.1%} {self.count:,}/{self.total:,} events, {self.rate:,.0f}/s")

    def done(self) -> None:
        if self.show:
            sys.stderr.write(f"\n{self.count:,} events in {time.perf_counter() - self.started:.1f} s\n")
