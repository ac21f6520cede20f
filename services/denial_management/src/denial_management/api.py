"""Denial management's REST API: the work queue (sorted by priority), one case with its history and appeals,
and what billing staff do with cases. HTTP only: the work is in `work.py`."""

from collections.abc import Awaitable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts.denial_management import CorrectionChanges
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.web import CurrentPrincipal, get_unit_of_work
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from denial_management import work
from denial_management.repository import DenialWork
from denial_management.repository.queue import QueueFilter

router = APIRouter(tags=["denials"])
DenialWorkDep = Annotated[DenialWork, Depends(get_unit_of_work)]  # the service's own unit of work
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Modifier = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")]
LineNumber = Annotated[int, Field(ge=1, le=50)]


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
    history: list[HistoryOut]
    appeals: list[AppealOut]


class QueuePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ChangesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place_of_service: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")] | None = None
    add_modifiers: dict[LineNumber, Annotated[list[Modifier], Field(max_length=4)]] = Field(default_factory=dict)
    remove_modifiers: dict[LineNumber, Annotated[list[Modifier], Field(max_length=4)]] = Field(default_factory=dict)
    mental_health_diagnosis_first: bool = False


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resubmit_as: Literal["replacement", "new_original"] = "replacement"
    reason: Text
    changes: ChangesIn = Field(default_factory=ChangesIn)
    prior_authorization_number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,50}$")] | None = None


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text
    facts: Annotated[list[Text], Field(max_length=20)] = Field(default_factory=list)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # upheld: the payer kept its denial after the appeal (the case goes back to the work queue); billed_to_patient
    # is refused: a denial is the provider's liability
    resolution: Literal["overturned", "corrected_and_paid", "billed_to_patient", "closed_informational", "upheld"]
    recovered: Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), decimal_places=2)] = Decimal(0)


class WriteOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text


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


class BulkOut(BaseModel):
    cases: list[UUID]


def _cursor(text: str | None) -> tuple[int, UUID] | None:
    if text is None:
        return None
    priority, _, case_id = text.partition(".")
    try:
        return int(priority), UUID(case_id)
    except ValueError:
        raise RuleViolation("not a cursor this API gave", field="cursor") from None


@router.get("/v1/denials", response_model=QueuePage)
async def queue(
    principal: CurrentPrincipal,
    uow: DenialWorkDep,
    practice_id: UUID | None = None,
    payer_id: Annotated[str | None, Query(max_length=80)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    status: Literal["open", "correcting", "appealed", "resolved"] | None = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    due_before: date | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=80)] = None,
) -> QueuePage:
    """The work queue, highest priority first: money at stake, raised as the deadline nears."""
    wanted = QueueFilter(practice_id, payer_id, category, status, assignee, due_before)
    async with uow:
        rows, after = await uow.queue.page(principal, wanted, limit=limit, after=_cursor(cursor))
    return QueuePage(
        items=[CaseOut.model_validate(row) for row in rows], next_cursor=f"{after[0]}.{after[1]}" if after else None
    )


@router.get("/v1/denials/{case_id}", response_model=CaseDetail)
async def one_case(case_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    async with uow:
        return await _detail(uow, principal, case_id)


async def _detail(uow: DenialWork, principal: Principal, case_id: UUID) -> CaseDetail:
    row = await uow.queue.case_in_scope(principal, case_id)
    if row is None:
        raise NotFound("denial case not found")
    history = [HistoryOut.model_validate(h) for h in await uow.queue.history_of(case_id)]
    appeals = [AppealOut.model_validate(a) for a in await uow.queue.appeals_of(case_id)]
    return CaseDetail(**CaseOut.model_validate(row).model_dump(), history=history, appeals=appeals)


@router.get(
    "/v1/denials/{case_id}/appeals/{appeal_id}/letter",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def appeal_letter(case_id: UUID, appeal_id: UUID, principal: CurrentPrincipal, uow: DenialWorkDep) -> Response:
    async with uow:
        pdf = await uow.queue.letter_of(principal, case_id, appeal_id)
    if pdf is None:
        raise NotFound("appeal not found")
    return Response(pdf, media_type="application/pdf")


async def _act(uow: DenialWork, principal: Principal, case_id: UUID, action: Awaitable[None]) -> CaseDetail:
    """Run a work-queue command (awaited inside the transaction) and answer with the case as it is now."""
    async with uow:
        await action
        detail = await _detail(uow, principal, case_id)
        await uow.commit()
    return detail


@router.post("/v1/denials/{case_id}/assign", response_model=CaseDetail)
async def assign(case_id: UUID, body: AssignIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    return await _act(uow, principal, case_id, work.assign(uow, principal, case_id, body.assignee))


@router.post("/v1/denials/{case_id}/notes", response_model=CaseDetail)
async def add_note(case_id: UUID, body: NoteIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    return await _act(uow, principal, case_id, work.note(uow, principal, case_id, body.text))


@router.post("/v1/denials/{case_id}/correction", response_model=CaseDetail)
async def correction(case_id: UUID, body: CorrectionIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    """Ask claim submission to send the claim again with these changes (a replacement with REF*F8, or a new
    original); the case waits for the corrected claim's payment."""
    changes = CorrectionChanges.model_validate(body.changes.model_dump())
    return await _act(
        uow,
        principal,
        case_id,
        work.request_correction(
            uow,
            principal,
            case_id,
            changes=changes,
            resubmit_as=body.resubmit_as,
            reason=body.reason,
            prior_authorization_number=body.prior_authorization_number,
        ),
    )


@router.post("/v1/denials/{case_id}/appeal", response_model=CaseDetail)
async def appeal(case_id: UUID, body: AppealIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    """An appeal packet: the claim, the denial, the reason and the facts, as data and as a letter (PDF)."""
    return await _act(
        uow, principal, case_id, work.appeal(uow, principal, case_id, reason=body.reason, facts=body.facts)
    )


@router.post("/v1/denials/{case_id}/outcome", response_model=CaseDetail)
async def outcome(case_id: UUID, body: OutcomeIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    return await _act(
        uow, principal, case_id, work.record_outcome(uow, principal, case_id, body.resolution, body.recovered)
    )


@router.post("/v1/denials/{case_id}/write-off", response_model=CaseDetail)
async def write_off(case_id: UUID, body: WriteOffIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> CaseDetail:
    return await _act(uow, principal, case_id, work.write_off(uow, principal, case_id, body.reason))


@router.post("/v1/denials/bulk", response_model=BulkOut)
async def bulk(body: BulkIn, principal: CurrentPrincipal, uow: DenialWorkDep) -> BulkOut:
    """Assign or write off every working case the filter finds (at most 500 at a time)."""
    if body.action == "assign" and not body.assignee:
        raise RuleViolation("assigning needs an assignee", field="assignee")
    if body.action == "write_off" and not body.reason:
        raise RuleViolation("a write-off needs a reason", field="reason")
    wanted = QueueFilter(body.practice_id, body.payer_id, body.category, body.status, None, body.due_before)
    async with uow:
        done = await work.bulk(uow, principal, wanted, action=body.action, assignee=body.assignee, reason=body.reason)
        await uow.commit()
    return BulkOut(cases=done)
