"""The month-end loop, across tenants: every practice with an agreement gets its invoice for each month that has
ended (by the billing office's clock) and has none, one practice per transaction."""

import logging

from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from billing_office.clock import Clock
from billing_office.invoicing import invoice_practice
from billing_office.repository import BillingOfficeWork

log = logging.getLogger(__name__)


class InvoiceLoop(PeriodicLoop):
    name = "billing-office.invoices"

    def __init__(self, sessionmaker: SessionFactory, *, clock: Clock, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._clock = clock

    async def run_once(self) -> None:
        today = self._clock.today()
        async with BillingOfficeWork(self._sessionmaker) as uow:
            practices = await uow.agreements.practices()
        for tenant_id, practice_id in practices:
            async with BillingOfficeWork(self._sessionmaker) as uow:
                made = await invoice_practice(uow, tenant_id, practice_id, today)
                await uow.commit()
            for invoice in made:
                log.info("invoice issued", extra={"invoice_id": str(invoice.id), "month": str(invoice.month)})
