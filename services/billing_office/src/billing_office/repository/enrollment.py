"""Payer enrollments and their tasks, credentialing spans, each practice's checks per payer, and the payers
found silent (`uow.enrollment`). One record per natural key, changed in place: the events carry its history."""

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from billing_office.tables import credentials, enrollment_tasks, enrollments, payer_checks, silent_payers

e, t, c, k = enrollments.c, enrollment_tasks.c, credentials.c, payer_checks.c
ENROLLMENT_KEY = ["tenant_id", "practice_id", "payer_id", "npi", "tax_id", "transaction"]
CREDENTIAL_KEY = ["tenant_id", "practice_id", "npi", "payer_id", "state"]


class Enrollment(Repository):
    table = enrollments

    async def put(self, row: dict[str, Any]) -> Any:
        """The enrollment recorded, or changed when the practice has it already: the stored row."""
        made = insert(enrollments).values({"id": uuid4(), **row})
        changed = {name: made.excluded[name] for name in row if name not in ENROLLMENT_KEY}
        upsert = made.on_conflict_do_update(index_elements=ENROLLMENT_KEY, set_=changed).returning(enrollments)
        return (await self.session.execute(upsert)).one()

    async def of_practice(self, principal: Principal, practice_id: UUID) -> Sequence[Any]:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), e.practice_id == practice_id]
        query = select(enrollments).where(*where).order_by(e.payer_id, e.transaction, e.npi)
        return (await self.session.execute(query)).all()

    async def find(self, principal: Principal, enrollment_id: UUID) -> Any:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), e.id == enrollment_id]
        return (await self.session.execute(select(enrollments).where(*where))).first()

    async def remittance_statuses(self, principal: Principal) -> dict[str, list[str]]:
        """Per payer, the statuses of the caller's practices' remittance (835) enrollments with it."""
        where = self.mine_in(principal.tenant_id, principal.practice_ids)
        query = select(e.payer_id, e.status).where(*where, e.transaction == "remittance")
        found: dict[str, list[str]] = {}
        for row in await self.session.execute(query):
            found.setdefault(row.payer_id, []).append(row.status)
        return found

    async def add_task(self, enrollment: Any, title: str, due_on: date) -> Any:
        row = {"id": uuid4(), "tenant_id": enrollment.tenant_id, "practice_id": enrollment.practice_id}
        row |= {"enrollment_id": enrollment.id, "title": title, "due_on": due_on}
        return (await self.session.execute(insert(enrollment_tasks).values(row).returning(enrollment_tasks))).one()

    async def tasks(self, tenant_id: UUID, enrollment_ids: Sequence[UUID]) -> Sequence[Any]:
        query = select(enrollment_tasks).where(
            self.mine(tenant_id, enrollment_tasks), t.enrollment_id.in_(enrollment_ids)
        )
        return (await self.session.execute(query.order_by(t.due_on, t.id))).all()

    async def task_done(self, principal: Principal, task_id: UUID, on: date) -> Any:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids, enrollment_tasks), t.id == task_id]
        done = update(enrollment_tasks).where(*where).values(done_on=func.coalesce(t.done_on, on))
        return (await self.session.execute(done.returning(enrollment_tasks))).first()

    async def put_credential(self, row: dict[str, Any]) -> Any:
        made = insert(credentials).values({"id": uuid4(), **row})
        changed = {name: made.excluded[name] for name in row if name not in CREDENTIAL_KEY}
        upsert = made.on_conflict_do_update(index_elements=CREDENTIAL_KEY, set_=changed).returning(credentials)
        return (await self.session.execute(upsert)).one()

    async def credentials_of(self, principal: Principal, practice_id: UUID) -> Sequence[Any]:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids, credentials), c.practice_id == practice_id]
        query = select(credentials).where(*where).order_by(c.npi, c.payer_id, c.state)
        return (await self.session.execute(query)).all()

    async def set_checks(self, row: dict[str, Any]) -> None:
        made = insert(payer_checks).values(row)
        changed = {name: made.excluded[name] for name in ("enrollment", "credentialing", "recorded_by")}
        keys = ["tenant_id", "practice_id", "payer_id"]
        await self.session.execute(made.on_conflict_do_update(index_elements=keys, set_=changed))

    async def checks_of(self, principal: Principal, practice_id: UUID) -> Sequence[Any]:
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids, payer_checks), k.practice_id == practice_id]
        return (await self.session.execute(select(payer_checks).where(*where).order_by(k.payer_id))).all()

    async def payer_silent(self, row: dict[str, Any]) -> None:
        made = insert(silent_payers).values(row)
        changed = {name: made.excluded[name] for name in row if name not in ("tenant_id", "payer_id")}
        await self.session.execute(made.on_conflict_do_update(index_elements=["tenant_id", "payer_id"], set_=changed))

    async def silent(self, principal: Principal) -> Sequence[Any]:
        where = self.mine_in(principal.tenant_id, principal.practice_ids, silent_payers)
        query = select(silent_payers).where(*where).order_by(silent_payers.c.payer_id)
        return (await self.session.execute(query)).all()
