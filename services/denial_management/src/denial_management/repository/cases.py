"""Cases, their history and appeals: stored from the aggregate, read back into it, and the work queue's reads.
Reads for the API are scoped to the caller's tenant and the practices its token allows, here once (`_scoped`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.db import UnitOfWork
from claimstream_platform.paging import in_scope
from sqlalchemy import BigInteger, Numeric, Select, and_, cast, func, or_, select, tuple_, update
from sqlalchemy import case as when
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from denial_management.domain import Case, CaseStatus, Opening
from denial_management.tables import appeals, case_history, cases
from denial_management.triage import Triage


async def insert_new(uow: UnitOfWork, case: Case) -> bool:
    """Store a new case; False (and nothing stored) when its denial event opened one before."""
    o, t = case.opening, case.triage
    row = {
        "id": case.id,
        "tenant_id": o.tenant_id,
        "practice_id": o.practice_id,
        "claim_id": o.claim_id,
        "source_key": o.source_key[:200],
        "kind": o.kind,
        "level": o.level,
        "line_number": o.line_number,
        "procedure_code": (o.procedure_code or "")[:5] or None,
        "payer_id": o.payer_id[:80],
        "codes": list(t.codes),
        "category": t.category,
        "action": t.action[:300],
        "fix": t.fix,
        "appeal": t.appeal,
        "amount": o.amount,
        "denied_on": o.denied_on,
        "service_date": o.service_date,
        "deadline": case.deadline,
        "priority": case.priority,
        "status": str(case.status),
        "automatic": case.automatic,
    }
    inserted = await uow.session.scalar(insert(cases).values(row).on_conflict_do_nothing().returning(cases.c.id))
    if inserted is None:
        return False
    case.stored_status = case.status
    await _history(uow, case)
    return True


async def save(uow: UnitOfWork, found: Sequence[Case]) -> None:
    """Each case's changes and new history entries."""
    for case in found:
        await uow.session.execute(
            update(cases)
            .where(cases.c.id == case.id)
            .values(
                status=str(case.status),
                resolution=case.resolution,
                assignee=case.assignee,
                recovered=case.recovered,
                written_off=case.written_off,
                updated_at=datetime.now(UTC),
            )
        )
        case.stored_status = case.status
        await _history(uow, case)


async def reprioritize(uow: UnitOfWork, today: date) -> None:
    """Every working case's priority as of `today` (deadlines.priority, in SQL): it rises as its deadline nears."""
    days_left = cases.c.deadline - today
    raised = cases.c.amount * (1 + cast(30, Numeric) / func.greatest(days_left, 1))
    await uow.session.execute(
        update(cases)
        .where(cases.c.status != str(CaseStatus.RESOLVED), cases.c.deadline.is_not(None))
        .values(priority=cast(func.floor(when((days_left < 0, cases.c.amount), else_=raised)), BigInteger))
    )


async def mark_warned(uow: UnitOfWork, ids: Sequence[UUID]) -> None:
    if ids:
        await uow.session.execute(update(cases).where(cases.c.id.in_(list(ids))).values(warned=True))


async def _history(uow: UnitOfWork, case: Case) -> None:
    if case.history:
        rows = [
            {"case_id": case.id, "actor": e.actor[:200], "action": e.action, "detail": e.detail} for e in case.history
        ]
        await uow.session.execute(insert(case_history), rows)
        case.history = []


def _case(row: Row[Any]) -> Case:
    opening = Opening(
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        claim_id=row.claim_id,
        payer_id=row.payer_id,
        kind=row.kind,
        level=row.level,
        line_number=row.line_number,
        procedure_code=row.procedure_code,
        amount=row.amount,
        denied_on=row.denied_on,
        service_date=row.service_date,
        source_key=row.source_key,
    )
    triage = Triage(row.category, row.action, row.fix, row.appeal, tuple(row.codes))
    return Case(
        id=row.id,
        opening=opening,
        triage=triage,
        deadline=row.deadline,
        priority=row.priority,
        status=CaseStatus(row.status),
        automatic=row.automatic,
        resolution=row.resolution,
        assignee=row.assignee,
        recovered=row.recovered,
        written_off=row.written_off,
        stored_status=CaseStatus(row.status),
    )


async def lock(uow: UnitOfWork, tenant_id: UUID, case_id: UUID) -> Case | None:
    query = select(cases).where(cases.c.tenant_id == tenant_id, cases.c.id == case_id).with_for_update()
    row = (await uow.session.execute(query)).one_or_none()
    return _case(row) if row is not None else None


async def lock_for_claims(uow: UnitOfWork, claim_ids: Sequence[UUID], statuses: Sequence[CaseStatus]) -> list[Case]:
    query = select(cases).where(cases.c.claim_id.in_(list(claim_ids)), cases.c.status.in_([str(s) for s in statuses]))
    return [_case(row) for row in await uow.session.execute(query.order_by(cases.c.created_at).with_for_update())]


async def lock_due(uow: UnitOfWork, before: date, limit: int = 500) -> list[Case]:
    """Working cases whose deadline falls before `before`, not warned yet (skipping those another replica holds)."""
    query = (
        select(cases)
        .where(cases.c.deadline <= before, cases.c.warned.is_(False))
        .where(cases.c.status.in_([str(CaseStatus.OPEN), str(CaseStatus.APPEALED)]))
        .order_by(cases.c.deadline)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_case(row) for row in await uow.session.execute(query)]


async def add_appeal(uow: UnitOfWork, case: Case, packet: dict[str, Any], letter: bytes) -> UUID:
    appeal_id = uuid4()
    await uow.session.execute(
        insert(appeals).values(
            id=appeal_id, case_id=case.id, tenant_id=case.opening.tenant_id, packet=packet, letter=letter
        )
    )
    return appeal_id


# --- the work queue's reads ---


@dataclass(frozen=True)
class QueueFilter:
    practice_id: UUID | None = None
    payer_id: str | None = None
    category: str | None = None
    status: str | None = None
    assignee: str | None = None
    due_before: date | None = None


def _scoped(principal: Principal, practice_id: UUID | None) -> Select[Any]:
    query = select(cases).where(cases.c.tenant_id == principal.tenant_id)
    return in_scope(query, cases.c.practice_id, principal, practice_id)


def _filtered(principal: Principal, wanted: QueueFilter) -> Select[Any]:
    query = _scoped(principal, wanted.practice_id)
    for column, value in (
        ("payer_id", wanted.payer_id),
        ("category", wanted.category),
        ("status", wanted.status),
        ("assignee", wanted.assignee),
    ):
        if value is not None:
            query = query.where(cases.c[column] == value)
    if wanted.due_before is not None:
        query = query.where(cases.c.deadline <= wanted.due_before)
    return query


async def queue_page(
    uow: UnitOfWork, principal: Principal, wanted: QueueFilter, *, limit: int, after: tuple[int, UUID] | None
) -> tuple[list[Row[Any]], tuple[int, UUID] | None]:
    """Highest priority first (then by id, so pages are stable); `after` is the last (priority, id) seen."""
    query = _filtered(principal, wanted)
    if after is not None:
        query = query.where(or_(cases.c.priority < after[0], and_(cases.c.priority == after[0], cases.c.id > after[1])))
    rows = list(await uow.session.execute(query.order_by(cases.c.priority.desc(), cases.c.id).limit(limit + 1)))
    page = rows[:limit]
    return page, ((page[-1].priority, page[-1].id) if len(rows) > limit else None)


async def in_scope_ids(uow: UnitOfWork, principal: Principal, wanted: QueueFilter, limit: int) -> list[UUID]:
    query = _filtered(principal, wanted).with_only_columns(cases.c.id).limit(limit)
    return list(await uow.session.scalars(query))


async def case_in_scope(uow: UnitOfWork, principal: Principal, case_id: UUID) -> Row[Any] | None:
    found: Row[Any] | None = (
        await uow.session.execute(_scoped(principal, None).where(cases.c.id == case_id))
    ).one_or_none()
    return found


async def history_of(uow: UnitOfWork, case_id: UUID) -> list[Row[Any]]:
    query = select(case_history).where(case_history.c.case_id == case_id).order_by(case_history.c.id)
    return list(await uow.session.execute(query))


async def appeals_of(uow: UnitOfWork, case_id: UUID) -> list[Row[Any]]:
    query = select(appeals.c.id, appeals.c.packet, appeals.c.created_at).where(appeals.c.case_id == case_id)
    return list(await uow.session.execute(query.order_by(appeals.c.created_at)))


async def letter_of(uow: UnitOfWork, principal: Principal, case_id: UUID, appeal_id: UUID) -> bytes | None:
    if await case_in_scope(uow, principal, case_id) is None:
        return None
    query = select(appeals.c.letter).where(
        tuple_(appeals.c.id, appeals.c.case_id) == tuple_(appeal_id, case_id),
        appeals.c.tenant_id == principal.tenant_id,
    )
    found: bytes | None = await uow.session.scalar(query)
    return found
