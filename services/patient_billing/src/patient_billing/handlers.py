"""The projection's word on a visit into the patient's account, and the front desk's and billers' commands, in
the caller's transaction: each locks the account, makes the aggregate's move, stores it and publishes the events
it recorded."""

import logging
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts.projection import PatientShareChanged
from claimstream_platform.errors import NotFound

from patient_billing.domain import ZERO, Adjustment, PatientAccount, Payment
from patient_billing.repository import PatientBillingWork

log = logging.getLogger(__name__)


async def on_patient_share_changed(event: PatientShareChanged, uow: PatientBillingWork) -> None:
    """What the insurance left the patient on a visit, as the ledger says it now."""
    if event.patient_ref is None or event.practice_id is None:
        log.warning("a patient share with no patient or practice", extra={"encounter_id": str(event.encounter_id)})
        return
    account = await uow.accounts.of_patient(event.tenant_id, event.practice_id, event.patient_ref)
    account.share_changed(event.encounter_id, event.service_date, event.share, event.version, event.insurance_open)
    await _saved(uow, account)


async def receive_payment(
    uow: PatientBillingWork, principal: Principal, account_id: UUID, payment: Payment
) -> PatientAccount:
    account = await _account(uow, principal, account_id)
    applied = account.receive(payment)
    unapplied = payment.amount - sum((part.amount for part in applied), ZERO)
    await uow.accounts.add_payment(account, payment, unapplied, principal.subject)
    await uow.accounts.add_applications(account, payment.payment_id, applied)
    await _saved(uow, account)
    return account


async def adjust(
    uow: PatientBillingWork, principal: Principal, account_id: UUID, adjustment: Adjustment
) -> PatientAccount:
    account = await _account(uow, principal, account_id)
    account.adjust(adjustment)
    await uow.accounts.add_adjustment(account, adjustment)
    await _saved(uow, account)
    return account


async def _account(uow: PatientBillingWork, principal: Principal, account_id: UUID) -> PatientAccount:
    account = await uow.accounts.find(principal, account_id, lock=True)
    if account is None:
        raise NotFound("patient account not found", field="account_id")
    return account


async def _saved(uow: PatientBillingWork, account: PatientAccount) -> None:
    await uow.accounts.save(account)
    uow.publish_recorded(account)
