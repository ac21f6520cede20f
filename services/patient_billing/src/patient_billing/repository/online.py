"""Money through the payment processor (`uow.online`): what patients asked to pay through their statements' links
and the intents that carry it, the refunds billers asked for, and the credit balances a biller works. Reads for a
request keep to the caller's tenant and practices (`mine_in`); the webhook's and the refund loop's work crosses
tenants (the across-tenants role) by the ids the processor echoes back."""

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from patient_billing.tables import accounts, contacts, online_payments, payment_plans, payments, refunds, visits

o, r = online_payments.c, refunds.c
UNANSWERED_AFTER = timedelta(minutes=10)  # a charge asked this long ago with no intent was never taken


class Online(Repository):
    table = online_payments

    async def request_payment(self, statement: Any, payment_id: UUID, amount: Decimal) -> None:
        row = {"id": payment_id, "tenant_id": statement.tenant_id, "account_id": statement.account_id}
        row |= {"statement_id": statement.id, "amount": amount, "status": "requested"}
        await self.session.execute(insert(online_payments).values(row))

    async def request_autopay(
        self, tenant_id: UUID, account_id: UUID, plan_id: UUID, payment_id: UUID, amount: Decimal
    ) -> None:
        row = {"id": payment_id, "tenant_id": tenant_id, "account_id": account_id, "plan_id": plan_id}
        await self.session.execute(insert(online_payments).values(row | {"amount": amount, "status": "requested"}))

    async def autopay_to_charge(self, limit: int) -> Sequence[Any]:
        """Autopay charges recorded and not yet asked of the processor, with the plan's card token, locked."""
        method = payment_plans.c.autopay_method.label("method")
        query = select(o.id, o.tenant_id, o.amount, method).join(payment_plans, payment_plans.c.id == o.plan_id)
        query = query.where(o.status == "requested", o.intent_id.is_(None), payment_plans.c.status == "active")
        query = query.order_by(o.created_at).limit(limit)
        return (await self.session.execute(query.with_for_update(of=online_payments, skip_locked=True))).all()

    async def get(self, tenant_id: UUID, payment_id: UUID) -> Any:
        query = select(online_payments).where(self.mine(tenant_id), o.id == payment_id)
        return (await self.session.execute(query)).one_or_none()

    async def pending(self, tenant_id: UUID, account_id: UUID) -> Decimal:
        """What the account's payments through the processor, asked and not yet settled, will bring: those the
        processor took (an intent) and those asked in the last minutes. A request the processor never answered
        (an outage) stops counting then, so it cannot block her account for good; should the processor have
        charged it after all, its webhook still posts it (any excess becomes credit)."""
        recent = o.created_at > func.now() - UNANSWERED_AFTER
        query = select(func.coalesce(func.sum(o.amount), 0)).where(
            self.mine(tenant_id), o.account_id == account_id, o.status == "requested", o.intent_id.isnot(None) | recent
        )
        return Decimal(await self.session.scalar(query) or 0)

    async def drop_unsent_autopay(self, plan_id: UUID) -> None:
        """A plan ended: its autopay charges not yet asked of the processor are never asked."""
        unsent = [o.plan_id == plan_id, o.status == "requested", o.intent_id.is_(None)]
        await self.session.execute(update(online_payments).where(*unsent).values(status="cancelled"))

    async def intent_created(self, payment_id: UUID, intent_id: str) -> None:
        await self.session.execute(update(online_payments).where(o.id == payment_id).values(intent_id=intent_id))

    async def settle_payment(self, payment_id: UUID, status: str) -> Any:
        """The requested payment, now `status`; None when it was settled already (a webhook delivered again)."""
        settled = (
            update(online_payments)
            .where(o.id == payment_id, o.status == "requested")
            .values(status=status)
            .returning(online_payments)
        )
        return (await self.session.execute(settled)).one_or_none()

    async def request_refund(self, account: Any, row: dict[str, Any]) -> None:
        ids = {"tenant_id": account.tenant_id, "account_id": account.id}
        await self.session.execute(insert(refunds).values({**row, **ids}))

    async def card_payment(self, tenant_id: UUID, account_id: UUID, payment_id: UUID) -> str | None:
        """The processor's intent of one of the account's card payments: what a card refund goes back to."""
        p = payments.c
        query = select(p.processor_ref).where(
            self.mine(tenant_id, payments), p.account_id == account_id, p.id == payment_id
        )
        return await self.session.scalar(query)

    async def refunds_of(self, tenant_id: UUID, account_id: UUID) -> Sequence[Any]:
        query = select(refunds).where(self.mine(tenant_id, refunds), r.account_id == account_id)
        return (await self.session.execute(query.order_by(r.created_at, r.id))).all()

    async def refunds_to_send(self, limit: int) -> Sequence[Any]:
        """Card refunds asked for and not yet sent to the processor, locked for this pass."""
        query = select(refunds, payments.c.processor_ref.label("intent_id")).join(
            payments, payments.c.id == r.payment_id
        )
        query = query.where(r.status == "requested", r.method == "card").order_by(r.created_at).limit(limit)
        return (await self.session.execute(query.with_for_update(of=refunds, skip_locked=True))).all()

    async def refund_moved(
        self, refund_id: UUID, status: str, processor_ref: str | None = None, *, only_from: str | None = None
    ) -> Any:
        """The refund, now `status`; None when it had moved there already (a webhook delivered again), or was not
        in `only_from` (the processor's word came before the loop marked it sent)."""
        values: dict[str, Any] = {"status": status}
        if processor_ref:
            values["processor_ref"] = processor_ref
        before = [only_from] if only_from else ["requested", "sent"]  # refunded and failed are final
        where = [r.id == refund_id, r.status != status, r.status.in_(before)]
        moved = update(refunds).where(*where).values(**values).returning(refunds)
        return (await self.session.execute(moved)).one_or_none()

    async def credits(self, principal: Principal, practice_id: UUID | None, limit: int) -> Sequence[Any]:
        """The caller's accounts holding a credit, the oldest first: unapplied cash and overpaid visits; and the
        state of her address (whose unclaimed-property law the credit falls under)."""
        a, v, k = accounts.c, visits.c, contacts.c
        overpaid = func.coalesce(func.sum(func.greatest(v.paid + v.adjusted - v.share, 0)).filter(v.version > 0), 0)
        credit = (a.unapplied + overpaid).label("credit")
        query = (
            select(a.id, a.practice_id, a.patient_ref, a.credit_since, credit, k.address["state"].astext.label("state"))
            .select_from(accounts.outerjoin(visits, v.account_id == a.id).outerjoin(contacts, k.account_id == a.id))
            .where(*self.mine_in(principal.tenant_id, principal.practice_ids, accounts))
            .where(*([a.practice_id == practice_id] if practice_id else []))
            .group_by(a.id, k.account_id)
            .having(a.unapplied + overpaid > 0)
            .order_by(a.credit_since.nulls_last(), a.id)
            .limit(limit)
        )
        return (await self.session.execute(query)).all()
