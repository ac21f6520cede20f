"""The deposits' loop, across tenants: a remittance with no deposit, or a deposit with no remittance, more than
three business days old is announced once (`DepositMismatch`), for the billing company's staff to chase."""

from datetime import date
from typing import Any, Literal

from claimstream_platform.contracts.billing_office import DepositMismatch
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop

from billing_office.clock import Clock
from billing_office.deposits import age, overdue
from billing_office.repository import BillingOfficeWork

Mismatch = Literal["remittance_without_deposit", "deposit_without_remittance"]


class DepositLoop(PeriodicLoop):
    name = "billing-office.deposits"

    def __init__(self, sessionmaker: SessionFactory, *, clock: Clock, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._clock = clock

    async def run_once(self) -> None:
        today = self._clock.today()
        async with BillingOfficeWork(self._sessionmaker) as uow:
            eras, banked = await uow.deposits.not_alerted(today)
            late_eras = [row for row in eras if overdue(row.paid_on, today)]
            late_deposits = [row for row in banked if overdue(row.deposited_on, today)]
            for row in late_eras:
                uow.publish(_mismatch(row, "remittance_without_deposit", row.paid_on, today))
            for row in late_deposits:
                uow.publish(_mismatch(row, "deposit_without_remittance", row.deposited_on, today))
            await uow.deposits.alerted([row.id for row in late_eras], [row.id for row in late_deposits], today)
            await uow.commit()


def _mismatch(row: Any, kind: Mismatch, since: date, today: date) -> DepositMismatch:
    return DepositMismatch(
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        item_id=row.id,
        kind=kind,
        trace_number=row.trace,
        amount=row.amount,
        since=since,
        business_days=age(since, today),
    )
