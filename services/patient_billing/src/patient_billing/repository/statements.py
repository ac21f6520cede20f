"""Statements and what they need (`uow.statements`): each practice's settings and runs, each patient's contact and
hold, the statements issued (read back within the caller's tenant and practices), and the email ones not sent yet
(for the mail loop, across tenants). Tenant filter written once per table (`mine`, `mine_in`)."""

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import Insert, insert

from patient_billing.statements import StatementPolicy
from patient_billing.tables import accounts, contacts, statement_runs, statement_settings, statements

s, c = statements.c, contacts.c
MAX_ATTEMPTS = 10  # an email statement the mail server keeps refusing stops being tried (it shows unsent)


class Statements(Repository):
    table = statements

    async def policy(self, tenant_id: UUID, practice_id: UUID) -> StatementPolicy:
        t = statement_settings
        query = select(t).where(self.mine(tenant_id, t), t.c.practice_id == practice_id)
        row = (await self.session.execute(query)).one_or_none()
        return StatementPolicy(row.cycle_day, row.minimum_balance, row.due_days) if row else StatementPolicy()

    async def set_policy(self, tenant_id: UUID, practice_id: UUID, policy: StatementPolicy, by: str) -> None:
        values = {"cycle_day": policy.cycle_day, "minimum_balance": policy.minimum_balance, "due_days": policy.due_days}
        row = {"practice_id": practice_id, "tenant_id": tenant_id, "set_by": by, **values}
        statement = insert(statement_settings).values(row)
        await self.session.execute(statement.on_conflict_do_update(index_elements=["practice_id"], set_=row))

    async def start_run(self, tenant_id: UUID, practice_id: UUID, day: date) -> bool:
        """The practice's run of `day`, claimed: False when it ran already (a second run sends nothing twice)."""
        row = {"practice_id": practice_id, "run_on": day, "tenant_id": tenant_id}
        claimed = insert(statement_runs).values(row).on_conflict_do_nothing().returning(statement_runs.c.run_on)
        return (await self.session.execute(claimed)).first() is not None

    async def practices_due(self, day: date) -> Sequence[Any]:
        """(tenant, practice) of every practice with accounts whose cycle day is `day`'s and that has not run."""
        t, r, a = statement_settings.c, statement_runs.c, accounts.c
        cycle = func.coalesce(t.cycle_day, StatementPolicy().cycle_day)
        ran = select(r.practice_id).where(r.run_on == day)
        query = (
            select(a.tenant_id, a.practice_id)
            .distinct()
            .select_from(accounts.outerjoin(statement_settings, t.practice_id == a.practice_id))
            .where(cycle == day.day, a.practice_id.not_in(ran))
        )
        return (await self.session.execute(query)).all()

    async def contact(self, account_id: UUID) -> Any:
        return (await self.session.execute(select(contacts).where(c.account_id == account_id))).one_or_none()

    async def set_contact(self, tenant_id: UUID, account_id: UUID, **values: Any) -> None:
        row = {"account_id": account_id, "tenant_id": tenant_id, **values}
        statement = insert(contacts).values(row)
        await self.session.execute(statement.on_conflict_do_update(index_elements=["account_id"], set_=values))

    async def set_addresses(self, tenant_id: UUID, addressed: Sequence[tuple[UUID, str, dict[str, Any]]]) -> None:
        """Each account's name and postal address (account, name, address), in one statement: no account twice."""
        rows = [
            {"account_id": a, "tenant_id": tenant_id, "name": name, "address": address}
            for a, name, address in addressed
        ]
        await insert_many(self.session, contacts, rows, on_conflict=_addressed_anew)

    async def add(self, statement_id: UUID, account: Any, row: dict[str, Any]) -> None:
        ids = {"id": statement_id, "tenant_id": account.tenant_id, "practice_id": account.practice_id}
        await self.session.execute(insert(statements).values({**ids, "account_id": account.id, **row}))

    async def of_account(self, principal: Principal, account_id: UUID) -> Sequence[Any]:
        where = self.mine_in(principal.tenant_id, principal.practice_ids)
        query = select(statements).where(*where, s.account_id == account_id).order_by(s.issued_on.desc(), s.id)
        return (await self.session.execute(query)).all()

    async def find(self, principal: Principal, statement_id: UUID) -> Any:
        where = self.mine_in(principal.tenant_id, principal.practice_ids)
        return (await self.session.execute(select(statements).where(*where, s.id == statement_id))).one_or_none()

    async def latest_id(self, account_id: UUID) -> UUID | None:
        """The account's latest statement (its link pays what the account owes now); the caller's tenant only."""
        query = select(statements.c.id).where(statements.c.account_id == account_id)
        return await self.session.scalar(query.order_by(statements.c.issued_on.desc(), statements.c.created_at.desc()))

    async def of_link(self, statement_id: UUID) -> Any:
        """The statement a payment link names, with what its account still owes (the link's principal is the
        statement itself: no tenant filter but its own row's)."""
        return (await self.session.execute(select(statements).where(s.id == statement_id))).one_or_none()

    async def printed(self, principal: Principal, practice_id: UUID, day: date) -> Sequence[Any]:
        """The day's statements for the mail house: a practice's, to be printed, in account order."""
        where = self.mine_in(principal.tenant_id, principal.practice_ids)
        query = select(statements).where(
            *where, s.practice_id == practice_id, s.issued_on == day, s.delivery == "print"
        )
        return (await self.session.execute(query.order_by(s.account_id))).all()

    async def unsent(self, limit: int) -> Sequence[Any]:
        """Email statements not sent yet, with the address, locked for this pass (another pass skips them)."""
        query = (
            select(s.id, s.document, s.issued_on, c.email)
            .select_from(statements.join(contacts, c.account_id == s.account_id))
            .where(s.delivery == "email", s.sent_at.is_(None), c.email.is_not(None), s.send_attempts < MAX_ATTEMPTS)
            .order_by(s.send_attempts, s.created_at)
            .limit(limit)
            .with_for_update(of=statements, skip_locked=True)
        )
        return (await self.session.execute(query)).all()

    async def send_failed(self, statement_id: UUID, *, for_good: bool) -> None:
        """Refused by the mail server: tried again on a later pass, or, refused for good, sent to the print batch."""
        values: dict[str, Any] = {"delivery": "print"} if for_good else {"send_attempts": s.send_attempts + 1}
        await self.session.execute(update(statements).where(s.id == statement_id).values(**values))

    async def mark_sent(self, statement_id: UUID) -> None:
        await self.session.execute(update(statements).where(s.id == statement_id).values(sent_at=func.now()))


def _addressed_anew(statement: Insert, _columns: tuple[str, ...]) -> Insert:
    """An account's contact already kept gets the name and address captured last; the rest of it stays."""
    return statement.on_conflict_do_update(
        index_elements=["account_id"], set_={"name": statement.excluded.name, "address": statement.excluded.address}
    )
