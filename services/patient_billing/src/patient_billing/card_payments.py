"""Money through the payment processor, around the database, never inside it: what the patient asks to pay is
recorded and committed first, the processor is asked after (with that record's id as its Idempotency-Key, so a
retry charges once), and the money moves on the account only when the processor's signed webhook says it did. A
webhook delivered twice finds its payment settled and does nothing. Card refunds go the same way: the credit leaves
the account when a biller asks, the refund loop sends it, and a refusal gives it back as credit."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound, RuleViolation

from patient_billing.accounts import saved
from patient_billing.domain import PatientAccount, Payment
from patient_billing.plan_work import count_toward_plan
from patient_billing.processor import ProcessorClient
from patient_billing.repository import PatientBillingWork

Work = Callable[[], PatientBillingWork]  # a unit of work as the statement's tenant


async def pay_by_link(
    work: Work, processor: ProcessorClient, statement: Any, amount: Decimal, payment_method: str
) -> dict[str, Any]:
    """The patient pays up to what her account owes, by card token: the processor's intent and its status."""
    payment_id = uuid4()
    async with work() as uow:
        account = await uow.accounts.lock(statement.tenant_id, statement.account_id)
        if amount > account.balance:
            raise RuleViolation(f"at most what you owe ({account.balance})", field="amount")
        await uow.online.request_payment(statement, payment_id, amount)
        await uow.commit()
    metadata = {"online_payment_id": str(payment_id), "tenant_id": str(statement.tenant_id)}
    intent = await processor.charge(amount, payment_method, str(payment_id), metadata)
    async with work() as uow:
        await uow.online.intent_created(payment_id, intent["id"])
        await uow.commit()
    return {"payment_id": payment_id, "status": intent["status"]}


async def on_processor_event(uow: PatientBillingWork, kind: str, obj: dict[str, Any]) -> str:
    """One webhook event, in the statement's tenant's transaction: what it did (for the answer and the log)."""
    metadata = obj.get("metadata") or {}
    if kind in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return await _payment_settled(uow, UUID(metadata["online_payment_id"]), obj, kind.endswith("succeeded"))
    if kind == "refund.created" and metadata.get("refund_id"):
        return await refund_settled(uow, UUID(metadata["refund_id"]), obj["id"], obj.get("status") == "succeeded")
    return "ignored"


async def _payment_settled(uow: PatientBillingWork, payment_id: UUID, intent: dict[str, Any], paid: bool) -> str:
    settled = await uow.online.settle_payment(payment_id, "succeeded" if paid else "failed")
    if settled is None:
        return "already settled"
    if not paid:
        return "declined"
    account = await uow.accounts.lock(settled.tenant_id, settled.account_id)
    payment = Payment(payment_id, settled.amount, "card_online", business_date())
    applied = account.receive(payment)
    unapplied = payment.amount - sum((part.amount for part in applied), Decimal(0))
    await uow.accounts.add_payment(account, payment, unapplied, "patient:statement-link", processor_ref=intent["id"])
    await uow.accounts.add_applications(account, payment_id, applied)
    await count_toward_plan(uow, account, payment.amount)
    await saved(uow, account)
    return "applied"


async def ask_refund(
    uow: PatientBillingWork,
    account: PatientAccount,
    amount: Decimal,
    payment_id: UUID | None,
    by: str,
    check: str | None,
) -> UUID:
    """A biller pays credit back: to the card of one of her card payments (sent by the refund loop), or by check."""
    refund_id, method = uuid4(), "card" if payment_id else "check"
    if payment_id and not await uow.online.card_payment(account.tenant_id, account.id, payment_id):
        raise NotFound("no card payment of this account", field="payment_id")
    account.refund(refund_id, amount, method, business_date())
    status = "requested" if method == "card" else "refunded"
    row = {"id": refund_id, "amount": amount, "method": method, "payment_id": payment_id, "check_number": check}
    await uow.online.request_refund(account, row | {"status": status, "requested_by": by})
    await saved(uow, account)
    return refund_id


async def refund_settled(uow: PatientBillingWork, refund_id: UUID, processor_ref: str, refunded: bool) -> str:
    moved = await uow.online.refund_moved(refund_id, "refunded" if refunded else "failed", processor_ref)
    if moved is None:
        return "already settled"
    if not refunded:
        account = await uow.accounts.lock(moved.tenant_id, moved.account_id)
        account.refund_failed(refund_id, moved.amount, business_date())
        await saved(uow, account)
    return "refunded" if refunded else "refund failed"
