"""Other services' events into what each practice collected and was billed for, mapped at the edge: the
insurance's money from remittance posting (a claim's payment or reversal by the 835's date, a PLB recoupment or
interest, a refund sent to a payer), the patients' money from patient billing (payments and refunds), and the
claims first sent and statements issued that per-item fees count (an event of no practice is logged and left);
and the billing company's commands, in the caller's transaction: an agreement added (never for a month invoiced
already), the caller's practices invoiced, a credit note, a practice's payment."""

import logging
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

from billing_office.bank_files import Deposit, stored
from billing_office.deposits import pairs
from billing_office.domain import INTEREST, Agreement, Invoice
from billing_office.invoicing import invoice_practice
from billing_office.repository import BillingOfficeWork

log = logging.getLogger(__name__)
PLB_COUNTED = {"recoupment": "recoupment", "interest": INTEREST}  # a PLB of another kind moves no collection


async def _collected(
    uow: BillingOfficeWork, event: IntegrationEvent, kind: str, source_id: UUID, on: date | None, amount: Decimal
) -> None:
    if event.practice_id is None:
        log.warning("money of no practice, not counted", extra={"event_type": event.event_type})
        return
    party = "patient" if event.topic == patients.TOPIC else "insurance"
    row: dict[str, Any] = {"id": uuid4(), "tenant_id": event.tenant_id, "practice_id": event.practice_id}
    row |= {"party": party, "kind": kind, "source_id": source_id, "collected_on": on or business_date()}
    row |= {"amount": amount, "payer_id": getattr(event, "payer_id", None)}
    await uow.collections.add(row)


async def on_payment_posted(event: remittances.PaymentPosted, uow: BillingOfficeWork) -> None:
    """A claim's payment by the 835's date; a reversal's amount is negative."""
    kind = "reversal" if event.paid < 0 else "payment"
    await _collected(uow, event, kind, event.claim_id, event.paid_on, event.paid)


async def on_provider_adjustment(event: remittances.ProviderAdjustmentPosted, uow: BillingOfficeWork) -> None:
    """A recoupment takes money back; interest (a negative PLB amount) adds it."""
    kind = PLB_COUNTED.get(event.kind or "")
    if kind is not None:
        await _collected(uow, event, kind, event.remittance_id, event.paid_on, -event.amount)


async def on_payer_refund(event: remittances.PayerRefundSent, uow: BillingOfficeWork) -> None:
    await _collected(uow, event, "payer_refund", event.refund_id, event.sent_on, -event.amount)


async def on_patient_payment(event: patients.PatientPaymentReceived, uow: BillingOfficeWork) -> None:
    await _collected(uow, event, "payment", event.payment_id, event.received_on, event.amount)


async def on_patient_refund(event: patients.PatientRefunded, uow: BillingOfficeWork) -> None:
    await _collected(uow, event, "refund", event.refund_id, event.refunded_on, -event.amount)


async def on_patient_refund_failed(event: patients.PatientRefundFailed, uow: BillingOfficeWork) -> None:
    await _collected(uow, event, "refund_failed", event.refund_id, event.failed_on, event.amount)


async def on_claim_submitted(event: ClaimSubmitted, uow: BillingOfficeWork) -> None:
    """A claim counted once for a per-claim fee, in the month it was first sent (an event from before the day was
    carried says no month: not counted)."""
    if event.submitted_on is not None:
        await _counted(uow, event, "claim", event.claim_id, event.submitted_on)


async def on_statement_issued(event: patients.StatementIssued, uow: BillingOfficeWork) -> None:
    await _counted(uow, event, "statement", event.statement_id, event.issued_on)


async def _counted(uow: BillingOfficeWork, event: IntegrationEvent, kind: str, source_id: UUID, on: date) -> None:
    if event.practice_id is None:
        return
    row = {"tenant_id": event.tenant_id, "practice_id": event.practice_id, "kind": kind, "source_id": source_id}
    await uow.collections.add_item(row | {"counted_on": on})


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
