"""Invoices (`uow.invoices`): issued once per practice and month with their figures, then credit notes and the
practice's payments beside them; the billing company's revenue and what each practice owes, read from them."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from billing_office.domain import Figures, Invoice
from billing_office.tables import credit_notes, invoice_payments, invoices

i = invoices.c


class Invoices(Repository):
    table = invoices

    async def add(self, invoice: Invoice, agreement_id: UUID, figures: Figures) -> bool:
        """The invoice stored; False when the practice's month has one already (another run issued it)."""
        row = {
            "id": invoice.id,
            "tenant_id": invoice.tenant_id,
            "practice_id": invoice.practice_id,
            "month": invoice.month,
            "number": invoice.number,
            "issued_on": invoice.issued_on,
            "agreement_id": agreement_id,
            "figures": {name: str(value) for name, value in vars(figures).items()},
            "total": invoice.total,
        }
        stored = insert(invoices).values(row).on_conflict_do_nothing().returning(i.id)
        return (await self.session.execute(stored)).first() is not None

    async def issued_months(self, tenant_id: UUID, practice_id: UUID) -> set[date]:
        query = select(i.month).where(self.mine(tenant_id), i.practice_id == practice_id)
        return set((await self.session.scalars(query)).all())

    async def find(self, principal: Principal, invoice_id: UUID, *, lock: bool = False) -> Invoice | None:
        query = select(invoices).where(*self.mine_in(principal.tenant_id, principal.practice_ids), i.id == invoice_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return None if row is None else _invoice(row)

    async def read(self, principal: Principal, invoice_id: UUID) -> Any:
        query = select(invoices).where(*self.mine_in(principal.tenant_id, principal.practice_ids), i.id == invoice_id)
        return (await self.session.execute(query)).first()

    async def listing(self, principal: Principal, practice_id: UUID | None, month: date | None) -> Sequence[Any]:
        where = self.mine_in(principal.tenant_id, principal.practice_ids)
        where += [i.practice_id == practice_id] if practice_id else []
        where += [i.month == month] if month else []
        query = select(invoices).where(*where).order_by(i.month.desc(), i.practice_id).limit(500)
        return (await self.session.execute(query)).all()

    async def save(self, invoice: Invoice) -> None:
        changed = {"credited": invoice.credited, "paid": invoice.paid}
        await self.session.execute(update(invoices).where(i.id == invoice.id).values(changed))

    async def add_credit_note(self, invoice: Invoice, row: dict[str, Any]) -> None:
        await self.session.execute(insert(credit_notes).values(row | _owner(invoice)))

    async def add_payment(self, invoice: Invoice, row: dict[str, Any]) -> None:
        await self.session.execute(insert(invoice_payments).values(row | _owner(invoice)))

    async def credit_notes(self, tenant_id: UUID, invoice_id: UUID) -> Sequence[Any]:
        n = credit_notes.c
        query = select(credit_notes).where(self.mine(tenant_id, credit_notes), n.invoice_id == invoice_id)
        return (await self.session.execute(query.order_by(n.created_at))).all()

    async def revenue(self, principal: Principal, first: date, last: date) -> Sequence[Any]:
        """Per practice and month: invoiced, credited, paid, and what is still owed."""
        where = [*self.mine_in(principal.tenant_id, principal.practice_ids), i.month >= first, i.month <= last]
        owed = func.sum(i.total - i.credited - i.paid).label("owed")
        sums = [
            func.sum(i.total).label("invoiced"),
            func.sum(i.credited).label("credited"),
            func.sum(i.paid).label("paid"),
        ]
        query = select(i.practice_id, i.month, *sums, owed).where(*where).group_by(i.practice_id, i.month)
        return (await self.session.execute(query.order_by(i.month, i.practice_id))).all()


def _owner(invoice: Invoice) -> dict[str, UUID]:
    return {"tenant_id": invoice.tenant_id, "practice_id": invoice.practice_id, "invoice_id": invoice.id}


def _invoice(row: Any) -> Invoice:
    return Invoice(
        id=row.id,
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        month=row.month,
        number=row.number,
        issued_on=row.issued_on,
        total=Decimal(row.total),
        credited=Decimal(row.credited),
        paid=Decimal(row.paid),
    )
