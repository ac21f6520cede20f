"""Money through the payment processor, around the database, never inside it: what the patient asks to pay is
recorded and committed first, the processor is asked after (with that record's id as its Idempotency-Key, so a
retry charges once), and the money moves on the account only when the processor's signed webhook says it did. A
webhook delivered twice finds its payment settled and does nothing. Card refunds go the same way: the credit leaves
the account when a biller asks, the refund loop sends it, and a refusal gives it back as credit."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from claimstream_platform.dates import business_date
from claimstream_platform.errors import NotFound, RuleViolation

from patient_billing.accounts import saved
from patient_billing.commands import Payment
from patient_billing.domain import PatientAccount
from patient_billing.plan_work import count_toward_plan
from patient_billing.processor import Declined, ProcessorClient
from patient_billing.repository import PatientBillingWork

Work = Callable[[], PatientBillingWork]  # a unit of work as the statement's tenant
DECLINED = frozenset({"requires_payment_method", "canceled"})  # an intent's statuses that take no money
REFUND_OUTCOMES = {"succeeded": True, "failed": False, "canceled": False}  # a refund's final statuses


async def pay_by_link(
    work: Work, processor: ProcessorClient, statement: Any, amount: Decimal, payment_method: str, key: str
) -> dict[str, Any]:
    """The patient pays up to what her account owes (less what she is paying already), by card token: the
    processor's intent and its status. `key` is her request's Idempotency-Key: asked again, the same payment is
    found, and the processor (asked with its id) charges once."""
    payment_id = uuid5(NAMESPACE_URL, f"claimstream:statement-link:{statement.id}:{key}")
    async with work() as uow:
        account = await uow.accounts.lock(statement.tenant_id, statement.account_id)
        asked = await uow.online.get(statement.tenant_id, payment_id)
        if asked is not None and asked.intent_id is not None:
            return {"payment_id": payment_id, "status": _status(asked.status)}
        if asked is None:
            allowed = account.balance - await uow.online.pending(account.tenant_id, account.id)
            if amount > allowed:
                raise RuleViolation(f"at most what you owe and are not paying already ({allowed})", field="amount")
            await uow.online.request_payment(statement, payment_id, amount)
        await uow.commit()
    metadata = {"online_payment_id": str(payment_id), "tenant_id": str(statement.tenant_id)}
    try:
        intent = await processor.charge(amount, payment_method, str(payment_id), metadata)
    except Declined:
        async with work() as uow:
            await uow.online.settle_payment(payment_id, "failed")
            await uow.commit()
        raise
    async with work() as uow:
        await uow.online.intent_created(payment_id, intent["id"])
        if intent["status"] in DECLINED:  # refused at once: no longer counted as on its way
            await uow.online.settle_payment(payment_id, "failed")
        await uow.commit()
    return {"payment_id": payment_id, "status": intent["status"]}


def _status(ours: str) -> str:
    """Our record's status in the processor's words, for a request asked again."""
    return {"succeeded": "succeeded", "failed": "requires_payment_method"}.get(ours, "processing")


async def on_processor_event(uow: PatientBillingWork, kind: str, obj: dict[str, Any]) -> str:
    """One webhook event, in the statement's tenant's transaction: what it did (for the answer and the log)."""
    metadata = obj.get("metadata") or {}
    if kind in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return await _payment_settled(uow, UUID(metadata["online_payment_id"]), obj, kind.endswith("succeeded"))
    if kind.startswith("refund.") and metadata.get("refund_id"):
        final = REFUND_OUTCOMES.get(str(obj.get("status")))
        if final is None:
            return "pending"  # the processor has it; its final word comes in a later event
        return await refund_settled(uow, UUID(metadata["refund_id"]), obj["id"], final)
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
