"""The rebuild's runs over HTTP, for installation operators: the latest, with how far each has come. `python -m
projection rebuild` records them as it goes (rebuild_progress.py); they are the installation's, counts only. HTTP
only: the SQL is in repository/rebuilds.py, the arithmetic in runs.py."""

from datetime import datetime
from typing import Any
from uuid import UUID

from claimstream_platform.access import allow
from claimstream_platform.auth import OPERATOR
from claimstream_platform.web import CurrentOperator
from fastapi import APIRouter
from pydantic import BaseModel

from projection import runs
from projection.api import ProjectionWorkDep

router = APIRouter(tags=["rebuilds"])
LATEST = 10  # runs answered


class RebuildOut(BaseModel):
    id: UUID
    phase: str  # preparing, reading, folding, comparing, swapping, catching_up; then finished, refused or failed
    started_at: datetime
    updated_at: datetime  # the row's last write: every second while it runs
    finished_at: datetime | None
    records_total: int | None  # the records to read (offsets up to the topics' ends); None until the reading knows
    records_done: int
    fraction: float | None  # records_done of records_total, 0 to 1; None while records_total is
    records_per_second: float  # from its start to its last write
    running: bool  # its row says so
    stalled: bool  # running, but nothing written for 2 minutes: the command died before it could say so, or hangs
    outcome: str | None  # counts when finished; the reason when refused; the error's type when failed


class RebuildsOut(BaseModel):
    items: list[RebuildOut]  # newest first


@router.get("/v1/rebuilds", openapi_extra=allow(OPERATOR), response_model=RebuildsOut)
async def latest_rebuilds(_: CurrentOperator, uow: ProjectionWorkDep) -> RebuildsOut:
    """The latest runs of `python -m projection rebuild` (LATEST, newest first), each with its progress: a glance
    at what the command did lately, not a history to page through."""
    async with uow:
        rows = await uow.rebuilds.latest(LATEST)
    return RebuildsOut(items=[_out(row) for row in rows])


def _out(row: Any) -> RebuildOut:
    values = dict(row._mapping)
    now = values.pop("now")  # the database's clock, which wrote updated_at
    return RebuildOut(
        **values,
        fraction=runs.fraction(row.records_done, row.records_total),
        records_per_second=runs.rate(row.records_done, row.started_at, row.updated_at),
        running=runs.running(row.phase),
        stalled=runs.stalled(row.phase, row.updated_at, now),
    )
