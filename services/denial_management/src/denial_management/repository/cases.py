"""Cases, their history and appeals (`uow.cases`): stored from the aggregate and read back into it. The tenant
filter is written once (`mine`); the work queue's reads are `uow.queue` (repository/queue.py)."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many, one_of, update_many
from sqlalchemy import BigInteger, Numeric, cast, func, select, update
from sqlalchemy import case as when
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from denial_management.domain import Case, CaseStatus, Opening
from denial_management.tables import appeals, case_history, cases
from denial_management.triage import Triage


class Cases(Repository):
    table = cases

    async def insert_new(self, case: Case) -> bool:
        """Store a new case as it stands, with its history; False (and nothing stored) when its denial event opened
        one before."""
        statement = insert(cases).values(_row(case)).on_conflict_do_nothing().returning(cases.c.id)
        if await self.session.scalar(statement) is None:
            return False
        case.stored_status = case.status
        await self._history([case])
        return True

    async def save(self, found: Sequence[Case]) -> None:
        """The changes of the cases that changed (every change writes history), and their new history entries: one
        statement each for any count."""
        changed = [case for case in found if case.history]
        now = datetime.now(UTC)
        rows = [
            {
                "id": case.id,
                "status": str(case.status),
                "resolution": case.resolution,
                "assignee": case.assignee,
                "recovered": case.recovered,
                "written_off": case.written_off,
                "updated_at": now,
            }
            for case in changed
        ]
        await update_many(self.session, cases, "id", rows)
        await self._history(changed)
        for case in changed:
            case.stored_status = case.status

    async def reprioritize(self, today: date) -> None:
        """Every working case's priority as of `today` (deadlines.priority, in SQL): it rises as its deadline
        nears."""
        days_left = cases.c.deadline - today
        raised = cases.c.amount * (1 + cast(30, Numeric) / func.greatest(days_left, 1))
        await self.session.execute(
            update(cases)
            .where(cases.c.status != str(CaseStatus.RESOLVED), cases.c.deadline.is_not(None))
            .values(priority=cast(func.floor(when((days_left < 0, cases.c.amount), else_=raised)), BigInteger))
        )

    async def mark_warned(self, ids: Sequence[UUID]) -> None:
        if ids:
            await self.session.execute(update(cases).where(one_of(cases.c.id, ids)).values(warned=True))

    async def _history(self, changed: Sequence[Case]) -> None:
        rows = [
            {"case_id": case.id, "actor": e.actor[:200], "action": e.action, "detail": e.detail}
            for case in changed
            for e in case.history
        ]
        await insert_many(self.session, case_history, rows)
        for case in changed:
            case.history = []

    async def lock(self, tenant_id: UUID, case_id: UUID) -> Case | None:
        query = select(cases).where(self.mine(tenant_id), cases.c.id == case_id).with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        return _case(row) if row is not None else None

    async def lock_for_claims(self, claim_ids: Sequence[UUID], statuses: Sequence[CaseStatus]) -> list[Case]:
        if not claim_ids:  # a payment of a claim that replaced none: nothing to ask (it was a statement a payment)
            return []
        query = select(cases).where(one_of(cases.c.claim_id, claim_ids), cases.c.status.in_([str(s) for s in statuses]))
        return [_case(row) for row in await self.session.execute(query.order_by(cases.c.created_at).with_for_update())]

    async def lock_answerable(self, replaced: Sequence[UUID], paid: Sequence[UUID]) -> list[Case]:
        """The cases payments may answer, oldest first: the replaced claims' waiting for their correction
        (correcting, or open), and the appealed cases of the claims paid and of those they replaced."""
        if not paid:
            return []
        c, waiting = cases.c, [str(CaseStatus.CORRECTING), str(CaseStatus.OPEN)]
        query = select(cases).where(
            (one_of(c.claim_id, replaced) & c.status.in_(waiting))
            | (one_of(c.claim_id, [*paid, *replaced]) & (c.status == str(CaseStatus.APPEALED)))
        )
        return [_case(row) for row in await self.session.execute(query.order_by(c.created_at).with_for_update())]

    async def lock_due(self, before: date, limit: int = 500) -> list[Case]:
        """Working cases whose deadline falls before `before`, not warned yet (skipping those another replica
        holds)."""
        query = (
            select(cases)
            .where(cases.c.deadline <= before, cases.c.warned.is_(False))
            .where(cases.c.status.in_([str(CaseStatus.OPEN), str(CaseStatus.APPEALED)]))
            .order_by(cases.c.deadline)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_case(row) for row in await self.session.execute(query)]

    async def add_appeal(self, case: Case, packet: dict[str, Any], letter: bytes) -> UUID:
        appeal_id = uuid4()
        await self.session.execute(
            insert(appeals).values(
                id=appeal_id, case_id=case.id, tenant_id=case.opening.tenant_id, packet=packet, letter=letter
            )
        )
        return appeal_id


def _row(case: Case) -> dict[str, Any]:
    o, t = case.opening, case.triage
    return {
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
        "deadline_basis": case.deadline_basis,
        "priority": case.priority,
        "status": str(case.status),
        "resolution": case.resolution,
        "recovered": case.recovered,
        "written_off": case.written_off,
        "assignee": case.assignee,
        "automatic": case.automatic,
    }


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
        deadline_basis=row.deadline_basis,
        priority=row.priority,
        status=CaseStatus(row.status),
        automatic=row.automatic,
        resolution=row.resolution,
        assignee=row.assignee,
        recovered=row.recovered,
        written_off=row.written_off,
        stored_status=CaseStatus(row.status),
    )
