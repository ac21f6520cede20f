"""Other services' events into the patient's account, and the front desk's and billers' commands, in the caller's
transaction: each locks the account, makes the aggregate's move, stores it and publishes the events it recorded.
The ledger's word on a visit comes from the projection; the patient's name and address from charge capture."""

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.contracts.projection import PatientShareChanged
from claimstream_platform.dates import business_date
from claimstream_platform.errors import RuleViolation
from claimstream_platform.messaging.consumer import Delivery, caused_by

from patient_billing.accounts import locked, saved
from patient_billing.commands import Adjustment, Payment
from patient_billing.domain import ZERO, InsuranceWord, PatientAccount
from patient_billing.plan_work import count_toward_plan
from patient_billing.repository import PatientBillingWork
from patient_billing.repository.accounts import account_id

log = logging.getLogger(__name__)


async def on_patient_shares_changed(deliveries: Sequence[Delivery], uow: PatientBillingWork) -> None:
    await shares_changed(uow, [(d.event, d) for d in deliveries if isinstance(d.event, PatientShareChanged)])


async def on_patient_share_changed(event: PatientShareChanged, uow: PatientBillingWork) -> None:
    await shares_changed(uow, [(event, None)])


async def shares_changed(uow: PatientBillingWork, run: Sequence[tuple[PatientShareChanged, Delivery | None]]) -> None:
    """What the insurance left the patient on each visit, as the ledger says it now: a run of one tenant's words in
    order, their accounts read and locked at once and stored together at the end, each word publishing as caused by
    its own delivery. A visit stays on the account it was first billed to, even if its patient id was corrected."""
    words = [(event, delivery, patient) for event, delivery in run if (patient := _patient(event))]
    if not words:
        return
    tenant = words[0][0].tenant_id
    accounts = await uow.accounts.of_patients(tenant, [patient for *_, patient in words])
    elsewhere = [e.encounter_id for e, _, p in words if e.encounter_id not in accounts[account_id(tenant, *p)].visits]
    owners = await uow.accounts.owners_of_visits(tenant, elsewhere)
    touched: dict[UUID, PatientAccount] = {}
    for event, delivery, patient in words:
        hers = account_id(tenant, *patient)
        owner = owners.setdefault(event.encounter_id, hers)  # a visit on no account yet: hers from now on
        if owner != hers:  # the encounter's patient id was corrected after it was billed
            log.warning(
                "a visit's patient changed; it stays on its account", extra={"encounter_id": str(event.encounter_id)}
            )
        if owner not in accounts:
            accounts[owner] = await uow.accounts.lock(tenant, owner)
        account = touched[owner] = accounts[owner]
        with caused_by(delivery):
            account.share_changed(event.encounter_id, _word(event), business_date())
            uow.publish_recorded(account)
    await uow.accounts.save(*touched.values())


def _patient(event: PatientShareChanged) -> tuple[UUID, str] | None:
    """The practice and patient whose account the word is for; None, logged, when the ledger knows neither."""
    if event.patient_ref is None or event.practice_id is None:
        log.warning("a patient share with no patient or practice", extra={"encounter_id": str(event.encounter_id)})
        return None
    return event.practice_id, event.patient_ref


def _word(event: PatientShareChanged) -> InsuranceWord:
    return InsuranceWord(
        service_date=event.service_date,
        version=event.version,
        share=event.share,
        insurance_open=event.insurance_open,
        charged=event.charged,
        insurance_paid=event.insurance_paid,
        adjusted=event.adjusted,
        reasons=tuple((r.group, r.reason, r.amount) for r in event.reasons),
    )


async def on_charges_captured(deliveries: Sequence[Delivery], uow: PatientBillingWork) -> None:
    """The patients' names and postal addresses as their practices last captured them: what statements go to. A
    run's charges are one tenant's and are written together; a patient charged twice in it keeps the later."""
    latest: dict[tuple[UUID, UUID, str], tuple[str, dict[str, Any]]] = {}
    for event in (d.event for d in deliveries):
        if isinstance(event, ChargeCaptured) and event.practice_id is not None:
            patient = event.patient
            latest[(event.tenant_id, event.practice_id, patient.external_id)] = (
                f"{patient.first_name} {patient.last_name}",
                patient.address.model_dump(mode="json"),
            )
    if not latest:
        return
    ids = await uow.accounts.made(list(latest))
    addressed = sorted((i, name, address) for i, (name, address) in zip(ids, latest.values(), strict=True))
    await uow.statements.set_addresses(next(iter(latest))[0], addressed)


async def receive_payment(
    uow: PatientBillingWork, principal: Principal, account_id: UUID, payment: Payment
) -> PatientAccount:
    account = await locked(uow, principal, account_id)
    owner = await uow.accounts.owner_of_visit(account.tenant_id, payment.encounter_id) if payment.encounter_id else None
    if owner is not None and owner != account.id:
        raise RuleViolation("that visit is on another patient's account", field="encounter_id")
    applied = account.receive(payment)
    unapplied = payment.amount - sum((part.amount for part in applied), ZERO)
    await uow.accounts.add_payment(account, payment, unapplied, principal.subject)
    await uow.accounts.add_applications(account, payment.payment_id, applied)
    await count_toward_plan(uow, account, payment.amount)
    await saved(uow, account)
    return account


async def adjust(
    uow: PatientBillingWork, principal: Principal, account_id: UUID, adjustment: Adjustment
) -> PatientAccount:
    account = await locked(uow, principal, account_id)
    account.adjust(adjustment)
    await uow.accounts.add_adjustment(account, adjustment)
    await saved(uow, account)
    return account
