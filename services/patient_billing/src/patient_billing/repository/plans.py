"""Payment plans (`uow.plans`): one active plan an account at most, what its payments have brought in, and the
active plans the plan loop works through (across tenants, locked a pass at a time). Tenant filter written once
(`mine`, `mine_in` for a request's reads)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from patient_billing.plans import Installment, Plan
from patient_billing.tables import accounts, payment_plans, plan_reminders

p = payment_plans.c


class Plans(Repository):
    table = payment_plans

    async def active(self, tenant_id: UUID, account_id: UUID) -> Plan | None:
        query = select(payment_plans).where(self.mine(tenant_id), p.account_id == account_id, p.status == "active")
        row = (await self.session.execute(query.with_for_update())).one_or_none()
        return plan_of(row) if row else None

    async def add(self, tenant_id: UUID, account_id: UUID, plan: Plan, by: str) -> None:
        row = {"id": plan.id, "tenant_id": tenant_id, "account_id": account_id, "total": plan.total}
        row |= {"per_month": plan.per_month, "first_due": plan.first_due, "autopay_method": plan.autopay_method}
        await self.session.execute(insert(payment_plans).values(row | {"status": "active", "created_by": by}))

    async def paid_in(self, plan: Plan, amount: Decimal) -> Plan:
        """A payment of the account counted toward its active plan (never past its total)."""
        moved = update(payment_plans).where(p.id == plan.id).values(paid=func.least(p.total, p.paid + amount))
        row = (await self.session.execute(moved.returning(payment_plans))).one()
        return plan_of(row)

    async def end(self, plan_id: UUID, status: str) -> None:
        await self.session.execute(update(payment_plans).where(p.id == plan_id).values(status=status))

    async def charged_through(self, plan_id: UUID, number: int) -> None:
        await self.session.execute(update(payment_plans).where(p.id == plan_id).values(charged_through=number))

    async def remind(self, tenant_id: UUID, plan: Plan, installment: Installment, email: str) -> None:
        """A reminder of the installment queued for the plan's loop to email; the plan reminded through it."""
        row = {"plan_id": plan.id, "number": installment.number, "email": email, "tenant_id": tenant_id}
        row |= {"due_on": installment.due_on, "amount": installment.amount}
        await self.session.execute(insert(plan_reminders).values(row).on_conflict_do_nothing())
        moved = update(payment_plans).where(p.id == plan.id).values(reminded_through=installment.number)
        await self.session.execute(moved)

    async def unsent_reminder(self) -> Any:
        """One reminder not emailed yet, locked (another replica skips it), with the plan's account; across
        tenants."""
        r = plan_reminders.c
        query = (
            select(plan_reminders, p.account_id)
            .join(payment_plans, p.id == r.plan_id)
            .where(r.sent_at.is_(None))
            .order_by(r.created_at)
            .limit(1)
            .with_for_update(skip_locked=True, of=plan_reminders)
        )
        return (await self.session.execute(query)).one_or_none()

    async def reminder_sent(self, plan_id: UUID, number: int) -> None:
        r = plan_reminders.c
        done = update(plan_reminders).where(r.plan_id == plan_id, r.number == number).values(sent_at=func.now())
        await self.session.execute(done)

    async def of_account(self, principal: Principal, account_id: UUID) -> Sequence[Any]:
        where = [self.mine(principal.tenant_id), p.account_id == account_id]
        if principal.practice_ids is not None:
            practices = select(accounts.c.id).where(accounts.c.practice_id.in_(list(principal.practice_ids)))
            where.append(p.account_id.in_(practices))
        return (await self.session.execute(select(payment_plans).where(*where).order_by(p.created_at))).all()

    async def active_accounts(self) -> Sequence[Any]:
        """(tenant, account) of every active plan, for the plan loop's pass (across tenants); each is then worked
        in a transaction of its own, its account locked before its plan, as a payment locks them."""
        return (await self.session.execute(select(p.tenant_id, p.account_id).where(p.status == "active"))).all()


def plan_of(row: Any) -> Plan:
    return Plan(
        row.id,
        row.total,
        row.per_month,
        row.first_due,
        row.autopay_method,
        row.paid,
        row.charged_through,
        row.reminded_through,
    )
