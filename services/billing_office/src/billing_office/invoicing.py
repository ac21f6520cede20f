"""A practice's month invoiced, in the caller's transaction: the agreement in force on the month's first day, the
collections and items no invoice counted yet up to the month's end (a late one of an earlier month is counted
here, once), the figures, and the invoice issued with its event. A month invoiced already is left as it is."""

from datetime import date
from uuid import UUID, uuid4

from billing_office.domain import Invoice, collection_of, figures, in_force, month_end, months_due
from billing_office.repository import BillingOfficeWork


async def invoice_month(
    uow: BillingOfficeWork, tenant_id: UUID, practice_id: UUID, month: date, today: date
) -> Invoice | None:
    """The month's invoice issued; None when it has one already or no agreement governs it."""
    if month in await uow.invoices.issued_months(tenant_id, practice_id):
        return None
    agreements = await uow.agreements.of_practice(tenant_id, practice_id)
    agreement = in_force(agreements, month)
    if agreement is None:
        return None
    since, through = agreements[0].effective_from, month_end(month)  # nothing before the first agreement is billed
    money = await uow.collections.uncounted(tenant_id, practice_id, since, through)
    items = await uow.collections.uncounted_items(tenant_id, practice_id, since, through)
    kinds = [item.kind for item in items]
    found = figures(agreement, [collection_of(row) for row in money], kinds.count("claim"), kinds.count("statement"))
    number = f"{month:%Y-%m}-{str(practice_id)[:8].upper()}"
    invoice = Invoice(uuid4(), tenant_id, practice_id, month, number, today, found.total)
    if not await uow.invoices.add(invoice, agreement.id, found):
        return None
    invoice.issued(found)
    await uow.collections.count_into(invoice.id, tenant_id, [row.id for row in money], [i.source_id for i in items])
    uow.publish_recorded(invoice)
    return invoice


async def invoice_practice(uow: BillingOfficeWork, tenant_id: UUID, practice_id: UUID, today: date) -> list[Invoice]:
    """Every ended month of the practice not invoiced yet."""
    agreements = await uow.agreements.of_practice(tenant_id, practice_id)
    if not agreements:
        return []
    issued = await uow.invoices.issued_months(tenant_id, practice_id)
    made = []
    for month in months_due(agreements[0].effective_from, issued, today):
        invoice = await invoice_month(uow, tenant_id, practice_id, month, today)
        if invoice is not None:
            made.append(invoice)
    return made
