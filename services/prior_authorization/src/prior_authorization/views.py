"""What prior authorization's API answers: an authorization with its lines (each service as the payer decided it,
and its burn-down), what is left and what went over, and its consumption history."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.dates import business_date
from pydantic import BaseModel

from prior_authorization.domain import Authorization
from prior_authorization.lines import Line


class UseOut(BaseModel):
    encounter_id: UUID
    version: int
    line: int  # the line it drew on (its index in `lines`)
    service_date: date
    used: int
    over: int  # beyond what the line approved: not covered
    consumed_at: datetime
    returned_at: datetime | None


class LineOut(BaseModel):
    codes: list[str]
    status: str  # requested | pended | approved | denied | contact | cancelled | not_required
    action: str  # HCR01
    authorization_number: str
    reason: str
    unit: str
    requested: int
    approved: int
    used: int
    remaining: int
    over: int
    partial: bool
    start: date
    end: date


class AuthorizationOut(BaseModel):
    id: UUID
    practice_id: UUID
    patient_ref: str
    payer_id: str
    provider_npi: str
    codes: list[str]
    unit: str
    requested: int
    status: str  # requested | pended | approved | contact | denied | cancelled | not_required
    source: str
    authorization_number: str
    approved: int  # the approved lines' sum
    used: int
    remaining: int
    over: int  # charged beyond what the lines approved
    exceeded: bool
    start: date
    end: date
    days_left: int
    partial: bool
    reason: str
    previous_number: str
    lines: list[LineOut]  # each service as the payer decided it, and its burn-down
    # Its consumption history, read by id: the latest uses (at most 50), the first of them first as ever, and the
    # `cursor` of the earlier ones at `GET /v1/authorizations/{id}/uses` (None when that was all).
    uses: list[UseOut] | None = None
    uses_next_cursor: str | None = None


def out(x: Authorization, uses: list[UseOut] | None = None, more_uses: str | None = None) -> AuthorizationOut:
    days_left = max((x.end - business_date()).days, 0)
    return AuthorizationOut(
        id=x.id,
        practice_id=x.practice_id,
        patient_ref=x.patient.external_id,
        payer_id=x.payer_id,
        provider_npi=x.provider_npi,
        codes=list(x.codes),
        unit=x.unit,
        requested=x.requested,
        status=x.status,
        source=x.source,
        authorization_number=x.number,
        approved=x.approved,
        used=x.used,
        remaining=x.remaining,
        over=x.over,
        exceeded=x.over > 0,
        start=x.start,
        end=x.end,
        days_left=days_left,
        partial=x.partial,
        reason=x.reason,
        previous_number=x.previous_number,
        lines=[_line_out(line) for line in x.lines],
        uses=uses,
        uses_next_cursor=more_uses,
    )


def _line_out(line: Line) -> LineOut:
    return LineOut(
        codes=list(line.codes),
        status=line.status,
        action=line.action,
        authorization_number=line.number,
        reason=line.reason,
        unit=line.unit,
        requested=line.requested,
        approved=line.approved,
        used=line.used,
        remaining=line.remaining,
        over=line.over,
        partial=line.partial,
        start=line.start,
        end=line.end,
    )


def use_out(row: Any) -> UseOut:
    """A consumptions row as read back."""
    return UseOut(
        encounter_id=row.encounter_id,
        version=row.version,
        line=row.line_number,
        service_date=row.service_date,
        used=row.used,
        over=row.over_drawn,
        consumed_at=row.consumed_at,
        returned_at=row.returned_at,
    )


class Page(BaseModel):
    items: list[AuthorizationOut]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class UsesPage(BaseModel):
    items: list[UseOut]
    next_cursor: str | None
