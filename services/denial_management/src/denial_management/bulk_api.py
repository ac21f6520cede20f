"""Bulk actions over HTTP: asked for (`POST /v1/denials/bulk`, answered 202 with the job) and watched
(`GET /v1/denials/bulk/{id}`) by the person who asked. HTTP only: the work is in `bulk.py`."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from denial_management import bulk
from denial_management.api import DenialWorkDep
from denial_management.repository import DenialWork
from denial_management.repository.queue import QueueFilter
from denial_management.work_api import Text

router = APIRouter(tags=["denials"])


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["assign", "write_off"]
    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    reason: Text | None = None
    practice_id: UUID | None = None
    payer_id: Annotated[str, StringConstraints(max_length=80)] | None = None
    category: Annotated[str, StringConstraints(max_length=40)] | None = None
    status: Literal["open", "correcting", "appealed"] | None = None
    due_before: date | None = None


class SkippedCase(BaseModel):
    case_id: UUID
    why: str


class BulkJobOut(BaseModel):
    id: UUID
    action: str
    status: Literal["queued", "running", "finished"]
    total: int
    done: int
    skipped: int
    requested_at: datetime
    finished_at: datetime | None
    skipped_cases: list[SkippedCase]


@router.post(
    "/v1/denials/bulk", openapi_extra=allow(Role.BILLER, audit=Audit.MONEY), status_code=202, response_model=BulkJobOut
)
async def ask(body: BulkIn, request: Request, principal: CurrentPrincipal, uow: DenialWorkDep) -> JSONResponse:
    """Assign or write off every working case the filter finds (at most 500 at a time), as a job worked in the
    background; a write-off over the limit on one case is refused whole."""
    if body.action == "assign" and not body.assignee:
        raise RuleViolation("assigning needs an assignee", field="assignee")
    if body.action == "write_off" and not body.reason:
        raise RuleViolation("a write-off needs a reason", field="reason")
    wanted = QueueFilter(body.practice_id, body.payer_id, body.category, body.status, None, body.due_before)

    async def operation() -> BulkJobOut:
        job_id = await bulk.ask(uow, principal, wanted, action=body.action, assignee=body.assignee, reason=body.reason)
        return await _job(uow, principal, job_id)

    return await run_command(request, principal=principal, uow=uow, body=body, operation=operation, status_code=202)


@router.get("/v1/denials/bulk/{job_id}", openapi_extra=allow(Role.BILLER), response_model=BulkJobOut)
async def job(job_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep) -> BulkJobOut:
    """How far the job is: its cases done and skipped (with why), and whether it has finished."""
    async with uow:
        return await _job(uow, principal, job_id)


async def _job(uow: DenialWork, principal: Principal, job_id: UUID) -> BulkJobOut:
    found = await uow.bulk.of(principal, job_id)
    if found is None:
        raise NotFound("bulk job not found")
    row, cases = found
    progress = bulk.Progress.of([case.outcome for case in cases])
    return BulkJobOut(
        id=row.id,
        action=row.action,
        status=progress.status(row.finished_at is not None),
        total=progress.total,
        done=progress.done,
        skipped=progress.skipped,
        requested_at=row.requested_at,
        finished_at=row.finished_at,
        skipped_cases=[SkippedCase(case_id=c.case_id, why=c.why or "") for c in cases if c.outcome == "skipped"],
    )
