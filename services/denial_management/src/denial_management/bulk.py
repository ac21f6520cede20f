"""Bulk actions: assign or write off every working case a filter finds, as a job the person watches.

Asking chooses the cases (at most BULK_LIMIT, in the queue's order) and, for a write-off, checks every one against
the tenant's per-case limit: one over it refuses the whole request and nothing is made. The worker's `BulkLoop`
then works the job CHUNK cases a transaction, so that the console can show how far it is (issue 30). A case that
changed in between is skipped, with why: resolved meanwhile, or over a limit the tenant admin lowered since; it
never blocks the cases after it."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import is_transient
from claimstream_platform.errors import DomainError
from claimstream_platform.loops import PeriodicLoop

from denial_management.handlers import publish_saved
from denial_management.repository import DenialWork
from denial_management.repository.bulk import Chunk
from denial_management.repository.queue import QueueFilter
from denial_management.work import apply_write_off, within_write_off_limit, write_off_limit

BULK_LIMIT = 500  # cases one request may act on
log = logging.getLogger(__name__)
CHUNK = 25  # cases a transaction: small enough that progress moves every second or so


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
    ids = await uow.queue.in_scope_ids(principal, wanted, BULK_LIMIT)
    cases = [case for case in [await uow.cases.lock(principal.tenant_id, i) for i in ids] if case is not None]
    cases = [case for case in cases if case.status != "resolved"]
    if action == "write_off":
        await within_write_off_limit(uow, principal, cases)
    return await uow.bulk.create(principal, action, assignee, reason, cases)


async def work_chunk(uow: DenialWork) -> bool:
    """The next chunk of the oldest unfinished job worked; False when there was none."""
    chunk = await uow.bulk.next_chunk(CHUNK)
    if chunk is None:
        return False
    for case_id in chunk.case_ids:
        outcome, why = await _worked_apart(uow, chunk, case_id)
        await uow.bulk.record(chunk.job.id, case_id, outcome, why)
    if len(chunk.case_ids) < CHUNK:  # the job's last cases
        await uow.bulk.finish(chunk.job.id)
    return True


async def _worked_apart(uow: DenialWork, chunk: Chunk, case_id: UUID) -> tuple[str, str | None]:
    """One case in a savepoint of its own: a case that fails for a reason of its own (not an outage) is skipped with
    the error's type, its writes and events rolled back, and never holds up the cases and jobs behind it."""
    try:
        async with uow.savepoint():
            return await _work_case(uow, chunk, case_id)
    except Exception as error:
        if is_transient(error):
            raise  # the database away: the chunk is worked again once it is back
        log.warning("bulk case not worked", extra={"error": type(error).__name__})
        return "skipped", f"could not be worked ({type(error).__name__})"


async def _work_case(uow: DenialWork, chunk: Chunk, case_id: UUID) -> tuple[str, str | None]:
    job = chunk.job
    case = await uow.cases.lock(job.tenant_id, case_id)
    if case is None or case.status == "resolved":
        return "skipped", "resolved since it was chosen"
    try:
        if job.action == "assign":
            case.assign(job.assignee or "", job.requested_by)
        else:
            limit = await write_off_limit(uow, job.tenant_id)
            if case.opening.amount > limit:
                return "skipped", f"over the write-off limit of {limit} set since"
            apply_write_off(case, job.requested_by, job.reason)
    except DomainError as refused:
        return "skipped", str(refused)[:200]
    await publish_saved(uow, [case])
    return "done", None


class BulkLoop(PeriodicLoop):
    """Works bulk jobs, chunk after chunk while there are any, each chunk its own transaction."""

    name = "denial-management.bulk"

    def __init__(self, sessionmaker: SessionFactory, *, interval: float) -> None:
        super().__init__(sessionmaker, interval)

    async def run_once(self) -> None:
        while True:
            async with DenialWork(self._sessionmaker) as uow:
                worked = await work_chunk(uow)
                if not worked:
                    await uow.bulk.prune(datetime.now(UTC))
                await uow.commit()
            if not worked:
                return
