"""The projection's claim API: the claim list (filters, keyset pages, capped size) and one claim with its amounts
and the timeline of every event that touched it. HTTP only: the reads are in repository/reads.py."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import NotFound
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging, Paging
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from projection.repository import ProjectionWork
from projection.repository.reads import ClaimFilter

router = APIRouter(tags=["claims"])
ProjectionWorkDep = Annotated[ProjectionWork, Depends(get_unit_of_work)]  # the service's own unit of work
Code = Annotated[str | None, Query(max_length=80)]


class ClaimOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: UUID
    practice_id: UUID | None
    encounter_id: UUID | None
    external_id: str | None  # the encounter's id in the EHR
    provider_npi: str | None
    patient_ref: str | None
    payer_id: str
    responsibility: str
    frequency: str
    replaces_claim_id: UUID | None
    patient_control_number: str
    payer_claim_number: str | None
    service_date: date
    procedure_code: str | None
    status: str
    charged: Decimal
    allowed: Decimal
    paid: Decimal
    contractual: Decimal  # adjusted by contract
    denied: Decimal  # denied by the payer, owed until worked
    patient_responsibility: Decimal
    written_off: Decimal
    underpaid: Decimal
    insurance_balance: Decimal
    patient_balance: Decimal
    outstanding: Decimal
    denial_category: str | None
    created_at: datetime | None
    submitted_at: datetime | None
    adjudicated_at: datetime | None
    paid_at: datetime | None
    last_event_at: datetime | None


class TimelineEntry(BaseModel):
    at: datetime
    type: str
    source: str  # the service that published it
    event_id: UUID
    detail: dict[str, Any]  # the event's fields the projection keeps (ids, codes and amounts; no PHI)


class ClaimDetail(ClaimOut):
    # Its latest events (at most 50), oldest first as ever; `timeline_next_cursor` is the `cursor` of the earlier
    # ones at `GET /v1/claims/{id}/timeline` (None when that was all).
    timeline: list[TimelineEntry]
    timeline_next_cursor: str | None


class TimelinePage(BaseModel):
    items: list[TimelineEntry]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next_cursor: UUID | None

    @classmethod
    def of(cls, rows: Iterable[Any], next_cursor: UUID | None) -> "ClaimPage":
        return cls(items=[ClaimOut.model_validate(claim_out(row)) for row in rows], next_cursor=next_cursor)


def claim_out(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    values["outstanding"] = values["insurance_balance"] + values["patient_balance"]
    return values


@router.get("/v1/claims", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI), response_model=ClaimPage)
async def list_claims(
    principal: CurrentPrincipal,
    uow: ProjectionWorkDep,
    page: Paging,
    practice_id: UUID | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    payer_id: Code = None,
    provider_npi: Annotated[str | None, Query(pattern=r"^[0-9]{10}$")] = None,
    encounter_external_id: Code = None,
    service_date_from: date | None = None,
    service_date_to: date | None = None,
    denial_category: Annotated[str | None, Query(max_length=40)] = None,
) -> ClaimPage:
    wanted = ClaimFilter(
        practice_id,
        status,
        payer_id,
        provider_npi,
        encounter_external_id,
        service_date_from,
        service_date_to,
        denial_category,
    )
    async with uow:
        return ClaimPage.of(*await uow.reads.claim_page(principal, wanted, limit=page.limit, cursor=page.cursor))


@router.get(
    "/v1/claims/{claim_id}",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.EHR_INTEGRATION, audit=Audit.PHI),
    response_model=ClaimDetail,
)
async def get_claim(claim_id: UUID, principal: CurrentPrincipal, uow: ProjectionWorkDep) -> ClaimDetail:
    """The claim with its amounts and its latest events (`timeline_next_cursor` pages back through the earlier)."""
    async with uow:
        found = await _claim(uow, principal, claim_id)
        events, more = await uow.reads.timeline(found, OrderedPageRequest(EMBEDDED, None))
    timeline = [_entry(r) for r in reversed(events)]
    return ClaimDetail.model_validate({**claim_out(found), "timeline": timeline, "timeline_next_cursor": more})


@router.get(
    "/v1/claims/{claim_id}/timeline",
    openapi_extra=allow(Role.BILLER, Role.READ_ONLY, Role.EHR_INTEGRATION, audit=Audit.PHI),
    response_model=TimelinePage,
)
async def claim_timeline(
    claim_id: UUID, principal: CurrentPrincipal, uow: ProjectionWorkDep, page: OrderedPaging
) -> TimelinePage:
    """Every event that touched the claim, the latest first, a page at a time."""
    async with uow:
        found = await _claim(uow, principal, claim_id)
        events, next_cursor = await uow.reads.timeline(found, page)
    return TimelinePage(items=[_entry(r) for r in events], next_cursor=next_cursor)


async def _claim(uow: ProjectionWork, principal: Principal, claim_id: UUID) -> Any:
    found = await uow.reads.claim(principal, claim_id)
    if found is None:
        raise NotFound("claim not found", field="claim_id")
    return found


def _entry(row: Any) -> TimelineEntry:
    return TimelineEntry(at=row.at, type=row.type, source=row.source, event_id=row.event_id, detail=row.data)
