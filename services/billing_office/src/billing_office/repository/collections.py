"""What each practice collected and was billed for (`uow.collections`): money by party and date, and the claims
and statements counted for per-item fees. Each row is counted by one invoice, which names itself on it."""

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import insert_many, one_of, skip_existing
from sqlalchemy import select, update

from billing_office.tables import billable_items, collections

c, b = collections.c, billable_items.c


class Collections(Repository):
    table = collections

    async def add(self, rows: Sequence[dict[str, Any]]) -> None:
        await insert_many(self.session, collections, rows)

    async def add_items(self, rows: Sequence[dict[str, Any]]) -> None:
        """Claims and statements to count, each once however often it is announced."""
        await insert_many(self.session, billable_items, rows, on_conflict=skip_existing)

    async def uncounted(self, tenant_id: UUID, practice_id: UUID, since: date, through: date) -> Sequence[Any]:
        """The practice's collections no invoice counted yet, dated from `since` (its first agreement: money before
        it was never the billing company's to bill) to `through` (a late one of an earlier month included), locked
        against another run."""
        where = [self.mine(tenant_id), c.practice_id == practice_id, c.invoice_id.is_(None)]
        where += [c.collected_on >= since, c.collected_on <= through]
        query = select(collections).where(*where).order_by(c.collected_on, c.id).with_for_update()
        return (await self.session.execute(query)).all()

    async def uncounted_items(self, tenant_id: UUID, practice_id: UUID, since: date, through: date) -> Sequence[Any]:
        """The claims and statements no invoice counted yet, from `since` to `through`, locked: (kind, source_id)."""
        where = [self.mine(tenant_id, billable_items), b.practice_id == practice_id, b.invoice_id.is_(None)]
        where += [b.counted_on >= since, b.counted_on <= through]
        query = select(b.kind, b.source_id).where(*where).with_for_update()
        return (await self.session.execute(query)).all()

    async def count_into(self, invoice_id: UUID, tenant_id: UUID, money: list[UUID], items: list[UUID]) -> None:
        """The rows an invoice counted, by id: its collections and its claims and statements."""
        await self.session.execute(update(collections).where(one_of(c.id, money)).values(invoice_id=invoice_id))
        counted = [self.mine(tenant_id, billable_items), one_of(b.source_id, items)]
        await self.session.execute(update(billable_items).where(*counted).values(invoice_id=invoice_id))

    async def of_month(self, principal: Principal, practice_id: UUID, first: date, last: date) -> Sequence[Any]:
        """The practice's collections dated within the month, counted by an invoice or not yet."""
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), c.practice_id == practice_id]
        query = select(collections).where(*where, c.collected_on >= first, c.collected_on <= last)
        return (await self.session.execute(query.order_by(c.collected_on, c.id).limit(5000))).all()

    async def of_invoice(self, tenant_id: UUID, invoice_id: UUID) -> Sequence[Any]:
        query = select(collections).where(self.mine(tenant_id), c.invoice_id == invoice_id)
        return (await self.session.execute(query.order_by(c.collected_on, c.id))).all()
