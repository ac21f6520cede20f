"""Bulk actions' jobs (`uow.bulk`): made when asked for, worked a chunk at a time by the worker, read back by the
person who asked (tenant and requester, here once in `_theirs`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from sqlalchemy import ColumnElement, delete, func, insert, select, update

from denial_management.tables import bulk_job_cases, bulk_jobs

KEPT_FOR = timedelta(days=30)  # a finished job's record: long enough to look back at, then dropped


@dataclass(frozen=True)
class Chunk:
    """The next cases of an unfinished job, for the worker, under the job's lock."""

    job: Any  # the job's row
    cases: list[Any]  # its next cases' rows, each as it stood when chosen


class BulkJobs(Repository):
    table = bulk_jobs

    def _theirs(self, principal: Principal) -> list[ColumnElement[bool]]:
        return [self.mine(principal.tenant_id), bulk_jobs.c.requested_by == principal.subject[:200]]

    async def create(
        self, principal: Principal, action: str, assignee: str | None, reason: str | None, chosen: list[Any]
    ) -> UUID:
        """A job of the cases chosen (rows of `uow.queue.chosen`), in their order; finished at once when none."""
        job_id, tenant_id = uuid4(), principal.tenant_id
        row = {"id": job_id, "tenant_id": tenant_id, "requested_by": principal.subject[:200], "action": action}
        finished = {"finished_at": func.now()} if not chosen else {}
        await self.session.execute(insert(bulk_jobs).values(row | {"assignee": assignee, "reason": reason} | finished))
        if chosen:
            rows = [
                {"job_id": job_id, "case_id": c.id, "tenant_id": tenant_id, "practice_id": c.practice_id}
                | {"position": n, "chosen_status": c.status, "chosen_assignee": c.assignee}
                for n, c in enumerate(chosen)
            ]
            await self.session.execute(insert(bulk_job_cases), rows)
        return job_id

    async def of(self, principal: Principal, job_id: UUID) -> tuple[Any, list[Any]] | None:
        """The job with its cases in order (each with its outcome); None when it is not this person's, or their
        token may no longer see every one of its cases' practices."""
        query = select(bulk_jobs).where(*self._theirs(principal), bulk_jobs.c.id == job_id)
        job = (await self.session.execute(query)).one_or_none()
        if job is None:
            return None
        query = select(bulk_job_cases).where(bulk_job_cases.c.job_id == job_id).order_by(bulk_job_cases.c.position)
        cases = list(await self.session.execute(query))
        if principal.practice_ids is not None and any(c.practice_id not in principal.practice_ids for c in cases):
            return None
        return job, cases

    async def next_chunk(self, size: int) -> Chunk | None:
        """The next `size` cases of the unfinished job that has waited longest for a chunk and that no other replica
        is working, under the job's lock (across tenants: the worker's). Taking turns so, one tenant's many jobs
        never keep another's waiting."""
        waited = func.coalesce(bulk_jobs.c.worked_at, bulk_jobs.c.requested_at)
        query = select(bulk_jobs).where(bulk_jobs.c.finished_at.is_(None)).order_by(waited).limit(1)
        job = (await self.session.execute(query.with_for_update(skip_locked=True))).one_or_none()
        if job is None:
            return None
        await self.session.execute(update(bulk_jobs).where(bulk_jobs.c.id == job.id).values(worked_at=func.now()))
        pending = (
            select(bulk_job_cases)
            .where(bulk_job_cases.c.job_id == job.id, bulk_job_cases.c.outcome.is_(None))
            .order_by(bulk_job_cases.c.position)
            .limit(size)
        )
        return Chunk(job, list(await self.session.execute(pending)))

    async def record(self, job_id: UUID, case_id: UUID, outcome: str, why: str | None = None) -> None:
        where = (bulk_job_cases.c.job_id == job_id, bulk_job_cases.c.case_id == case_id)
        await self.session.execute(update(bulk_job_cases).where(*where).values(outcome=outcome, why=why))

    async def finish(self, job_id: UUID) -> None:
        await self.session.execute(update(bulk_jobs).where(bulk_jobs.c.id == job_id).values(finished_at=func.now()))

    async def prune(self, now: datetime) -> None:
        """Jobs finished more than KEPT_FOR ago (their cases go with them)."""
        await self.session.execute(delete(bulk_jobs).where(bulk_jobs.c.finished_at < now - KEPT_FOR))
