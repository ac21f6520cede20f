"""Bulk actions: assign or write off every working case a filter finds, as a job the person watches.

Asking chooses the cases (at most BULK_LIMIT, in the queue's order, as they stand) and, for a write-off, checks
every one against the tenant's per-case limit: one over it refuses the whole request and nothing is made. The
worker's `BulkLoop` then works the jobs CHUNK cases a transaction, the job that has waited longest first, so that
the console can show how far each is (issue 30). A case that moved on since it was chosen (resolved, appealed,
taken into correction, assigned to someone else, or over a limit lowered since) is skipped with why, and one that
fails for a reason of its own is skipped with the error's type: neither blocks the cases after it."""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import is_transient
from claimstream_platform.errors import DomainError
from claimstream_platform.loops import PeriodicLoop

from denial_management.handlers import publish_saved
from denial_management.repository import DenialWork
from denial_management.repository.queue import QueueFilter
from denial_management.work import apply_write_off, within_write_off_limit, write_off_limit

BULK_LIMIT = 500  # cases one request may act on
log = logging.getLogger(__name__)
CHUNK = 25  # cases a transaction: small enough that progress moves every second or so
PASS_SECONDS = 10.0  # a loop pass's longest: its heartbeat is written between passes
PRUNE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class Progress:
    """How far a job is, from its cases' outcomes (pure)."""

    total: int
    done: int
    skipped: int

    @classmethod
    def of(cls, outcomes: list[str | None]) -> "Progress":
        return cls(len(outcomes), outcomes.count("done"), outcomes.count("skipped"))

    @property
    def worked(self) -> int:
        return self.done + self.skipped

    def status(self, finished: bool) -> str:
        if finished:
            return "finished"
        return "running" if self.worked else "queued"


async def ask(
    uow: DenialWork, principal: Principal, wanted: QueueFilter, *, action: str, assignee: str | None, reason: str | None
) -> UUID:
    """The job for `action` on every working case the filter finds; refused whole when a write-off is over the
    limit on one of them."""
    chosen = await uow.queue.chosen(principal, wanted, BULK_LIMIT)
    if action == "write_off":
        await within_write_off_limit(uow, principal, [case.amount for case in chosen])
    return await uow.bulk.create(principal, action, assignee, reason, chosen)


def moved_on(chosen: Any, status: str, assignee: str | None) -> str | None:
    """Why a case is no longer the one chosen (None: it is): acted on meanwhile, a bulk action must not act over
    what a person did in between (pure)."""
    if status == "resolved":
        return "resolved since it was chosen"
    if status != chosen.chosen_status:
        return f"{status} since it was chosen ({chosen.chosen_status} then)"
    if assignee != chosen.chosen_assignee:
        return "assigned to someone else since it was chosen"
    return None


async def work_chunk(uow: DenialWork) -> bool:
    """The next chunk of the job that has waited longest worked; False when there was none."""
    chunk = await uow.bulk.next_chunk(CHUNK)
    if chunk is None:
        return False
    limit = await write_off_limit(uow, chunk.job.tenant_id) if chunk.job.action == "write_off" else None
    for chosen in chunk.cases:
        outcome, why = await _worked_apart(uow, chunk.job, chosen, limit)
        await uow.bulk.record(chunk.job.id, chosen.case_id, outcome, why)
    if len(chunk.cases) < CHUNK:  # the job's last cases
        await uow.bulk.finish(chunk.job.id)
    return True


async def _worked_apart(uow: DenialWork, job: Any, chosen: Any, limit: Decimal | None) -> tuple[str, str | None]:
    """One case in a savepoint of its own: a case that fails for a reason of its own (not an outage) is skipped with
    the error's type, its writes and events rolled back, and never holds up the cases and jobs behind it."""
    try:
        async with uow.savepoint():
            return await _work_case(uow, job, chosen, limit)
    except Exception as error:
        if is_transient(error):
            raise  # the database away: the chunk is worked again once it is back
        log.warning("bulk case not worked", extra={"error": type(error).__name__})
        return "skipped", f"could not be worked ({type(error).__name__})"


async def _work_case(uow: DenialWork, job: Any, chosen: Any, limit: Decimal | None) -> tuple[str, str | None]:
    case = await uow.cases.lock(job.tenant_id, chosen.case_id)
    why = "gone since it was chosen" if case is None else moved_on(chosen, case.status, case.assignee)
    if case is None or why is not None:
        return "skipped", why
    try:
        if job.action == "assign":
            case.assign(job.assignee or "", job.requested_by)
        elif limit is not None and case.opening.amount > limit:
            return "skipped", f"over the write-off limit of {limit} set since"
        else:
            apply_write_off(case, job.requested_by, job.reason)
    except DomainError as refused:
        return "skipped", str(refused)[:200]
    await publish_saved(uow, [case])
    return "done", None


class BulkLoop(PeriodicLoop):
    """Works bulk jobs, a chunk a transaction, while there are any; a pass ends after PASS_SECONDS (or when the
    worker stops), so that its heartbeat says it lives however long the backlog."""

    name = "denial-management.bulk"

    def __init__(self, sessionmaker: SessionFactory, *, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._pruned_at: float | None = None

    async def run_once(self) -> None:
        ends = time.monotonic() + PASS_SECONDS
        while not self._stopping.is_set() and time.monotonic() < ends:
            async with DenialWork(self._sessionmaker) as uow:
                worked = await work_chunk(uow)
                if not worked and self._prune_due():
                    await uow.bulk.prune(datetime.now(UTC))
                await uow.commit()
            if not worked:
                return

    def _prune_due(self) -> bool:
        """Old jobs dropped once an hour, not on every idle pass (an idle worker should cost next to nothing)."""
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return False
        self._pruned_at = now
        return True
