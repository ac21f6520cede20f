"""The plans' loop, across tenants: each active plan looked at once a pass, in a transaction of its own
(plan_work.look_at_plan). Two installments missed default it (the account is back with its statements and dunning);
an autopay plan's installments now due are asked of the processor: recorded first (one row for what is due, its id
the processor's Idempotency-Key), charged after the commit, so a crash or an absent processor charges nothing twice
and the next pass asks again. The charge's webhook posts the payment as any other (card_payments.py), and that
payment counts toward the plan. A plan without autopay has each installment's reminder emailed a few days before
it is due (plans.to_remind), with a fresh link to her latest statement: at least once, as statements are."""

import logging
import smtplib

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.errors import TransientError
from claimstream_platform.loops import PeriodicLoop

from patient_billing.mailer import Mailer
from patient_billing.plan_work import look_at_plan
from patient_billing.plans import reminder
from patient_billing.processor import Declined, ProcessorClient
from patient_billing.repository import PatientBillingWork
from patient_billing.statement_run import PayAt

log = logging.getLogger(__name__)


class PlanLoop(PeriodicLoop):
    name = "patient-billing.plans"

    def __init__(
        self,
        sessionmaker: SessionFactory,
        *,
        processor: ProcessorClient,
        mailer: Mailer,
        pay_at: PayAt,
        interval: float,
    ) -> None:
        super().__init__(sessionmaker, interval)
        self._processor, self._mailer, self._pay_at = processor, mailer, pay_at

    async def run_once(self) -> None:
        await self.look_at_plans()
        while await self.charge_one():
            pass
        while await self.remind_one():
            pass

    async def look_at_plans(self) -> None:
        today = business_date()
        async with PatientBillingWork(self._sessionmaker) as uow:
            active = await uow.plans.active_accounts()
        for tenant_id, account_id in active:
            async with PatientBillingWork(self._sessionmaker) as uow:
                await look_at_plan(uow, tenant_id, account_id, today)
                await uow.commit()

    async def charge_one(self) -> bool:
        """One autopay charge recorded and not yet asked of the processor; False when none waits or it is away."""
        async with PatientBillingWork(self._sessionmaker) as uow:
            waiting = await uow.online.autopay_to_charge(1)
            if not waiting:
                return False
            charge = waiting[0]
            metadata = {"online_payment_id": str(charge.id), "tenant_id": str(charge.tenant_id)}
            try:
                intent = await self._processor.charge(charge.amount, charge.method, str(charge.id), metadata)
            except TransientError:
                return False
            except Declined:
                await uow.online.settle_payment(charge.id, "failed")
            else:
                await uow.online.intent_created(charge.id, intent["id"])
            await uow.commit()
        return True

    async def remind_one(self) -> bool:
        """One installment's reminder emailed and marked; False when none waits or the mail server is away (an
        address refused for good is marked too: her statements still ask)."""
        async with PatientBillingWork(self._sessionmaker) as uow:
            due = await uow.plans.unsent_reminder()
            if due is None:
                return False
            latest = await uow.statements.latest_id(due.account_id)
            text = reminder(due.amount, due.due_on, self._pay_at(latest) if latest else None)
            try:
                await self._mailer.send(
                    due.email, f"Your payment plan: ${due.amount:,.2f} due {due.due_on:%B %d}", text
                )
            except (OSError, smtplib.SMTPException) as refused:
                log.warning(
                    "plan reminder not emailed", extra={"plan_id": str(due.plan_id), "error": type(refused).__name__}
                )
                if not isinstance(refused, smtplib.SMTPRecipientsRefused):
                    return False
            await uow.plans.reminder_sent(due.plan_id, due.number)
            await uow.commit()
        return True
