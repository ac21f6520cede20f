"""Other services' events into what each practice collected and was billed for, mapped at the edge: the
insurance's money from remittance posting (a claim's payment or reversal by the 835's date, a PLB recoupment or
interest, a refund sent to a payer), the patients' money from patient billing (payments and refunds), and the
claims first sent and statements issued that per-item fees count (an event of no practice is logged and left);
and the billing company's commands, in the caller's transaction: an agreement added (never for a month invoiced
already), the caller's practices invoiced, a credit note, a practice's payment."""

import logging
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.auth import Principal
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import patient_billing as patients
from claimstream_platform.contracts import remittance_posting as remittances
from claimstream_platform.contracts.claim_submission import ClaimSubmitted
from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.messaging.consumer import Delivery

from billing_office.bank_files import Deposit, stored
from billing_office.deposits import pairs
from billing_office.domain import INTEREST, Agreement, Invoice
from billing_office.invoicing import invoice_practice
from billing_office.repository import BillingOfficeWork

log = logging.getLogger(__name__)
PLB_COUNTED = {"recoupment": "recoupment", "interest": INTEREST}  # a PLB of another kind moves no collection
Collected = tuple[str, UUID, date | None, Decimal]  # kind, source, the day (None: today), the amount
Counted = tuple[str, UUID, date | None]  # kind, source, the month's day (None: not counted)


def _payment_posted(event: remittances.PaymentPosted) -> Collected | None:
    """A claim's payment by the 835's date; a reversal's amount is negative."""
    return ("reversal" if event.paid < 0 else "payment", event.claim_id, event.paid_on, event.paid)


def _provider_adjustment(event: remittances.ProviderAdjustmentPosted) -> Collected | None:
    """A recoupment takes money back; interest (a negative PLB amount) adds it."""
    kind = PLB_COUNTED.get(event.kind or "")
    return None if kind is None else (kind, event.remittance_id, event.paid_on, -event.amount)


COLLECTED: dict[type[IntegrationEvent], Callable[[Any], Collected | None]] = {
    remittances.PaymentPosted: _payment_posted,
    remittances.ProviderAdjustmentPosted: _provider_adjustment,
    remittances.PayerRefundSent: lambda e: ("payer_refund", e.refund_id, e.sent_on, -e.amount),
    patients.PatientPaymentReceived: lambda e: ("payment", e.payment_id, e.received_on, e.amount),
    patients.PatientRefunded: lambda e: ("refund", e.refund_id, e.refunded_on, -e.amount),
    patients.PatientRefundFailed: lambda e: ("refund_failed", e.refund_id, e.failed_on, e.amount),
}
# A claim counted once for a per-claim fee, in the month it was first sent (an event from before the day was carried
# says no month: not counted); a statement in the month it was issued.
COUNTED: dict[type[IntegrationEvent], Callable[[Any], Counted]] = {
    ClaimSubmitted: lambda e: ("claim", e.claim_id, e.submitted_on),
    patients.StatementIssued: lambda e: ("statement", e.statement_id, e.issued_on),
}


async def on_money_moved(deliveries: Sequence[Delivery], uow: BillingOfficeWork) -> None:
    """A run of the money each practice collected (of `COLLECTED`'s events), stored in one statement."""
    await uow.collections.add([row for row in map(_collection, (d.event for d in deliveries)) if row is not None])


def _collection(event: IntegrationEvent) -> dict[str, Any] | None:
    collected = COLLECTED[type(event)](event)
    if collected is None:
        return None
    if event.practice_id is None:
        log.warning("money of no practice, not counted", extra={"event_type": event.event_type})
        return None
    kind, source_id, on, amount = collected
    party = "patient" if event.topic == patients.TOPIC else "insurance"
    row: dict[str, Any] = {"id": uuid4(), "tenant_id": event.tenant_id, "practice_id": event.practice_id}
    row |= {"party": party, "kind": kind, "source_id": source_id, "collected_on": on or business_date()}
    return row | {"amount": amount, "payer_id": getattr(event, "payer_id", None)}


async def on_items_counted(deliveries: Sequence[Delivery], uow: BillingOfficeWork) -> None:
    """A run of the claims sent and statements issued that per-item fees count (of `COUNTED`'s events), stored in
    one statement."""
    rows = []
    for event in (d.event for d in deliveries):
        kind, source_id, on = COUNTED[type(event)](event)
        if event.practice_id is not None and on is not None:
            row = {"tenant_id": event.tenant_id, "practice_id": event.practice_id, "kind": kind}
            rows.append(row | {"source_id": source_id, "counted_on": on})
    await uow.collections.add_items(rows)


async def add_agreement(uow: BillingOfficeWork, principal: Principal, practice_id: UUID, terms: dict[str, Any]) -> None:
    agreement = Agreement(id=uuid4(), **terms)
    tenant_id = principal.tenant_id
    if any(month >= agreement.effective_from for month in await uow.invoices.issued_months(tenant_id, practice_id)):
        raise RuleViolation("a month already invoiced keeps its agreement", field="effective_from")
    if any(
        a.effective_from == agreement.effective_from for a in await uow.agreements.of_practice(tenant_id, practice_id)
    ):
        raise RuleViolation("the practice has an agreement from that month already", field="effective_from")
    await uow.agreements.add(tenant_id, practice_id, agreement, principal.subject)


async def run_invoices(uow: BillingOfficeWork, principal: Principal, today: date) -> list[Invoice]:
    made = []
    for tenant_id, practice_id in await uow.agreements.practices(principal.tenant_id):
        if principal.practice_ids is None or practice_id in principal.practice_ids:
            made += await invoice_practice(uow, tenant_id, practice_id, today)
    return made


async def _locked(uow: BillingOfficeWork, principal: Principal, invoice_id: UUID) -> Invoice:
    invoice = await uow.invoices.find(principal, invoice_id, lock=True)
    if invoice is None:
        raise NotFound("invoice not found", field="invoice_id")
    return invoice


async def credit(
    uow: BillingOfficeWork, principal: Principal, invoice_id: UUID, amount: Decimal, reason: str, today: date
) -> None:
    invoice = await _locked(uow, principal, invoice_id)
    note_id = uuid4()
    invoice.credit(note_id, amount, today)
    row = {"id": note_id, "amount": amount, "reason": reason, "issued_on": today, "recorded_by": principal.subject}
    await uow.invoices.add_credit_note(invoice, row)
    await uow.invoices.save(invoice)
    uow.publish_recorded(invoice)


async def receive(uow: BillingOfficeWork, principal: Principal, invoice_id: UUID, amount: Decimal, on: date) -> None:
    invoice = await _locked(uow, principal, invoice_id)
    invoice.receive(amount)
    row = {"id": uuid4(), "amount": amount, "received_on": on, "recorded_by": principal.subject}
    await uow.invoices.add_payment(invoice, row)
    await uow.invoices.save(invoice)


async def on_remittance_received(event: remittances.RemittanceReceived, uow: BillingOfficeWork) -> None:
    """An 835 stored: what its deposit must bring, matched at once if the bank's file came first."""
    row: dict[str, Any] = {"id": event.remittance_id, "tenant_id": event.tenant_id, "practice_id": event.practice_id}
    row |= {"payer_id": event.payer_id[:80], "trace": event.trace_number.strip().upper()[:50], "amount": event.total}
    row |= {"method": (event.method or "")[:10] or None, "paid_on": event.paid_on or business_date()}
    await uow.deposits.hold(event.tenant_id, [row["trace"]])
    await uow.deposits.add_remittance(row)
    await reconcile(uow, event.tenant_id, [row["trace"]])


async def import_deposits(uow: BillingOfficeWork, principal: Principal, found: list[Deposit], source: str) -> int:
    """A bank file's deposits stored (those seen before skipped) and matched: how many were new."""
    owner = {"tenant_id": principal.tenant_id, "source": source}
    rows = [{"id": uuid4(), **owner, **stored(deposit)} for deposit in found]
    await uow.deposits.hold(principal.tenant_id, [row["trace"] for row in rows])
    added = await uow.deposits.add(rows)
    await reconcile(uow, principal.tenant_id, [row["trace"] for row in rows])
    return added


async def reconcile(uow: BillingOfficeWork, tenant_id: UUID, traces: list[str]) -> None:
    eras, banked = await uow.deposits.unmatched(tenant_id, traces)
    for remittance_id, deposit_id in pairs(eras, banked):
        await uow.deposits.link(remittance_id, deposit_id)
