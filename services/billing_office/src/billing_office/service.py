"""The billing office, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m billing_office migrate | api | worker`; the worker runs the consumer, the outbox relay
the month-end invoice loop and the deposits' alert loop."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI

from billing_office import api, deposits_api, enrollment_api
from billing_office.clock import Clock
from billing_office.consumers import SUBSCRIPTIONS
from billing_office.deposit_loop import DepositLoop
from billing_office.invoice_loop import InvoiceLoop
from billing_office.repository import BillingOfficeWork


class BillingOfficeSettings(ServiceSettings):
    invoice_loop_seconds: float = 3600.0
    deposit_loop_seconds: float = 3600.0
    billing_clock_speed: float = 1.0  # the calendar's days per real day: a demo's months end within minutes


def _prepare(settings: BillingOfficeSettings, app: FastAPI) -> None:
    app.state.clock = Clock(settings.billing_clock_speed)


def invoice_loop(runtime: Runtime[BillingOfficeSettings]) -> InvoiceLoop:
    settings = runtime.settings
    clock = Clock(settings.billing_clock_speed)
    return InvoiceLoop(runtime.across_tenants, clock=clock, interval=settings.invoice_loop_seconds)


def deposit_loop(runtime: Runtime[BillingOfficeSettings]) -> DepositLoop:
    """On the real calendar whatever the invoices' clock: deposits and ERAs age in real banking days."""
    return DepositLoop(runtime.across_tenants, clock=Clock(), interval=runtime.settings.deposit_loop_seconds)


SERVICE = Service(
    name="billing-office",
    package="billing_office",
    port=8011,
    title="claimstream billing office",
    settings=BillingOfficeSettings,
    routers=[api.router, deposits_api.router, enrollment_api.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    loops=[invoice_loop, deposit_loop],
    prepare_app=_prepare,
    unit_of_work=BillingOfficeWork,
    together=True,  # a few events a partition: one transaction for all of them
    gather_seconds=1.0,  # people read what it keeps, not by the second: a longer rest makes fewer, larger batches
)
