"""Denial management's REST API, its reads: the work queue (sorted by priority), one case with its history and
appeals, an appeal's letter. HTTP only; what staff do with cases is `work_api.py`, scrub rule suggestions
`rules_api.py`."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Principal, Role
from claimstream_platform.errors import NotFound
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, OrderedPaging
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict

from denial_management.repository import DenialWork
from denial_management.repository.queue import QueueFilter, Sort

router = APIRouter(tags=["denials"])
DenialWorkDep = Annotated[DenialWork, Depends(get_unit_of_work)]  # the service's own unit of work


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    practice_id: UUID | None
    claim_id: UUID
    payer_id: str
    kind: str  # denial (adjudicated) | rejection (999/277CA: never adjudicated)
    level: str
    line_number: int | None
    procedure_code: str | None
    codes: list[str]
    category: str
    action: str  # what to do, recommended
    automatic: bool  # fixed or closed with no person
    amount: Decimal  # recoverable
    denied_on: date
    service_date: date
    deadline: date | None
    priority: int
    status: str  # open | correcting | appealed | resolved
    resolution: str | None
    assignee: str | None
    recovered: Decimal
    written_off: Decimal


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    actor: str
    action: str
    detail: dict[str, Any]
    at: datetime


class AppealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    packet: dict[str, Any]
    created_at: datetime


class CaseDetail(CaseOut):
    """The case with its latest history entries (notes too) and its latest appeals, at most 50 of each, oldest first
    as ever; each `*_next_cursor` is the `cursor` of the earlier ones at `.../history` or `.../appeals` (None when
    that was all)."""

    history: list[HistoryOut]
    history_next_cursor: str | None
    appeals: list[AppealOut]
    appeals_next_cursor: str | None


class HistoryPage(BaseModel):
    items: list[HistoryOut]
    next_cursor: str | None  # the `cursor` of the next page; None on the last


class AppealPage(BaseModel):
    items: list[AppealOut]
    next_cursor: str | None


class QueuePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


@router.get("/v1/denials", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI), response_model=QueuePage)
async def queue(
    principal: CurrentPrincipal,
    uow: DenialWorkDep,
    page: OrderedPaging,
    practice_id: UUID | None = None,
    payer_id: Annotated[str | None, Query(max_length=80)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    status: Literal["open", "correcting", "appealed", "resolved"] | None = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    due_before: date | None = None,
    claim_id: UUID | None = None,
    sort: Sort = "priority",
) -> QueuePage:
    """The work queue, highest priority first (money at stake, raised as the deadline nears), or by the nearest
    deadline (`sort=deadline`; cases with none last) or the most money (`sort=amount`); a page at a time."""
    wanted = QueueFilter(practice_id, payer_id, category, status, assignee, due_before, claim_id)
    async with uow:
        rows, next_cursor = await uow.queue.page(principal, wanted, page, sort)
    return QueuePage(items=[CaseOut.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get("/v1/denials/{case_id}", openapi_extra=allow(Role.BILLER, audit=Audit.PHI), response_model=CaseDetail)
async def one_case(case_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    async with uow:
        return await case_detail(uow, principal, case_id)


async def case_detail(uow: DenialWork, principal: Principal, case_id: UUID) -> CaseDetail:
    row = await _case(uow, principal, case_id)
    first = OrderedPageRequest(EMBEDDED, None)
    history, more_history = await uow.queue.history_of(case_id, first)
    appeals, more_appeals = await uow.queue.appeals_of(principal, case_id, first)
    return CaseDetail(
        **CaseOut.model_validate(row).model_dump(),
        history=[HistoryOut.model_validate(h) for h in reversed(history)],
        history_next_cursor=more_history,
        appeals=[AppealOut.model_validate(a) for a in reversed(appeals)],
        appeals_next_cursor=more_appeals,
    )


@router.get(
    "/v1/denials/{case_id}/history", openapi_extra=allow(Role.BILLER, audit=Audit.PHI), response_model=HistoryPage
)
async def case_history(
    case_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep, page: OrderedPaging
) -> HistoryPage:
    """The case's history, notes too, the latest first, a page at a time."""
    async with uow:
        await _case(uow, principal, case_id)
        rows, next_cursor = await uow.queue.history_of(case_id, page)
    return HistoryPage(items=[HistoryOut.model_validate(h) for h in rows], next_cursor=next_cursor)


@router.get(
    "/v1/denials/{case_id}/appeals", openapi_extra=allow(Role.BILLER, audit=Audit.PHI), response_model=AppealPage
)
async def case_appeals(
    case_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep, page: OrderedPaging
) -> AppealPage:
    """The case's appeals (each letter at `.../appeals/{id}/letter`), the latest first, a page at a time."""
    async with uow:
        await _case(uow, principal, case_id)
        rows, next_cursor = await uow.queue.appeals_of(principal, case_id, page)
    return AppealPage(items=[AppealOut.model_validate(a) for a in rows], next_cursor=next_cursor)


async def _case(uow: DenialWork, principal: Principal, case_id: UUID) -> Any:
    row = await uow.queue.case_in_scope(principal, case_id)
    if row is None:
        raise NotFound("denial case not found")
    return row


@router.get(
    "/v1/denials/{case_id}/appeals/{appeal_id}/letter",
    openapi_extra=allow(Role.BILLER, audit=Audit.PHI),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def appeal_letter(case_id: UUID, appeal_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep) -> Response:
    async with uow:
        pdf = await uow.queue.letter_of(principal, case_id, appeal_id)
    if pdf is None:
        raise NotFound("appeal not found")
    return Response(pdf, media_type="application/pdf")
