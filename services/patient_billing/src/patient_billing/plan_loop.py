"""The plans' loop, across tenants: each active plan looked at once a pass, in a transaction of its own
(plan_work.look_at_plan). Two installments missed default it (the account is back with its statements and dunning);
an autopay plan's installments now due are asked of the processor: recorded first (one row for what is due, its id
the processor's Idempotency-Key), charged after the commit, so a crash or an absent processor charges nothing twice
and the next pass asks again. The charge's webhook posts the payment as any other (card_payments.py), and that
payment counts toward the plan."""

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.errors import TransientError
from claimstream_platform.loops import PeriodicLoop

from patient_billing.plan_work import look_at_plan
from patient_billing.processor import Declined, ProcessorClient
from patient_billing.repository import PatientBillingWork


class PlanLoop(PeriodicLoop):
    name = "patient-billing.plans"

    def __init__(self, sessionmaker: SessionFactory, *, processor: ProcessorClient, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._processor = processor

    async def run_once(self) -> None:
        await self.look_at_plans()
        while await self.charge_one():
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
