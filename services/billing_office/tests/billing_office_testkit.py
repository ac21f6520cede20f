"""Helpers for the billing office's tests: one tenant with two practices, the money events a month brings, and
tokens of the billing company's roles."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from billing_office.repository import BillingOfficeWork
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import patient_billing as patients
from claimstream_platform.contracts import remittance_posting as remittances
from claimstream_platform.messaging.consumer import Batched
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from claimstream_platform.messaging.subscriptions import runs

TENANT, OTHER_TENANT = uuid4(), uuid4()
PRACTICE, OTHER_PRACTICE = uuid4(), uuid4()
OWNER = {"tenant_id": TENANT, "practice_id": PRACTICE}


def bearer(keys: Keys, *roles: str, tenant: UUID = TENANT, practices: list[UUID] | None = None) -> dict[str, str]:
    token = keys.issuer.issue(tenant_id=tenant, roles=roles, practice_ids=practices, subject=f"user:{roles[0]}")
    return {"Authorization": f"Bearer {token}"}


def insurance_paid(amount: str, on: date, *, practice: UUID = PRACTICE) -> remittances.PaymentPosted:
    claim = {"claim_id": uuid4(), "patient_control_number": "PCN1", "payer_id": "SIMBCBS", "remittance_id": uuid4()}
    figures = {"charge": Decimal(200), "paid": Decimal(amount), "allowed": None, "patient_responsibility": Decimal(0)}
    return remittances.PaymentPosted(
        tenant_id=TENANT,
        practice_id=practice,
        **claim,
        **figures,
        payer_claim_number=None,
        claim_status="1" if Decimal(amount) >= 0 else "22",
        outcome="paid" if Decimal(amount) >= 0 else "reversed",
        adjustments=[],
        remarks=[],
        lines=[],
        paid_on=on,
    )


def plb(amount: str, kind: str, on: date) -> remittances.ProviderAdjustmentPosted:
    reason = {"recoupment": "WO", "interest": "L6"}.get(kind, "FB")
    fields = {"payee_npi": "1234567893", "reason": reason, "reference": "X", "amount": Decimal(amount)}
    return remittances.ProviderAdjustmentPosted(**OWNER, remittance_id=uuid4(), **fields, kind=kind, paid_on=on)


def patient_paid(amount: str, on: date) -> patients.PatientPaymentReceived:
    paid = {"amount": Decimal(amount), "method": "cash", "received_on": on, "applied": [], "unapplied": Decimal(0)}
    return patients.PatientPaymentReceived(**OWNER, account_id=uuid4(), payment_id=uuid4(), **paid)


def patient_refunded(amount: str, on: date) -> patients.PatientRefunded:
    refund = {"refund_id": uuid4(), "amount": Decimal(amount), "method": "check", "refunded_on": on}
    return patients.PatientRefunded(**OWNER, account_id=uuid4(), **refund)


async def consume(make_uow: Callable[[], BillingOfficeWork], *events: IntegrationEvent, together: bool = False) -> None:
    """Through the consumer's handlers: each event in its own transaction, or all in one batch, cut into runs as the
    consumer cuts it (a batch handler's run in one call)."""
    from billing_office.consumers import SUBSCRIPTIONS

    metadata = EventMetadata(uuid4(), "test", datetime.now(UTC), correlation_id=uuid4())
    items = [DecodedEvent(event=event, metadata=replace(metadata, event_id=uuid4())) for event in events]
    for batch in [items] if together else [[item] for item in items]:
        async with make_uow() as uow:
            for run in runs(batch, SUBSCRIPTIONS):
                subscription = SUBSCRIPTIONS[type(run[0].event)]
                if isinstance(subscription, Batched):
                    await subscription.handler(run, uow)
                else:
                    await subscription(run[0].event, uow)
            await uow.commit()
