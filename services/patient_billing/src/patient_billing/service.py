"""Patient billing, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m patient_billing migrate | api | worker`; the worker runs the consumer, the outbox relay
and the statements' loop (cycle-day runs, then the email statements through SMTP)."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.settings import ServiceSettings

from patient_billing import api, statements_api
from patient_billing.consumers import SUBSCRIPTIONS
from patient_billing.mailer import Mailer
from patient_billing.repository import PatientBillingWork
from patient_billing.statement_loop import StatementLoop


class PatientBillingSettings(ServiceSettings):
    smtp_host: str = "127.0.0.1"  # the mail relay statements go through (the local stack's SMTP sink)
    smtp_port: int = 25
    statements_from: str = "statements@claimstream.example"
    payment_page_url: str = "https://pay.claimstream.example"  # printed on statements as where to pay online
    statement_loop_seconds: float = 60.0


def statement_loop(runtime: Runtime[PatientBillingSettings]) -> StatementLoop:
    settings = runtime.settings
    mailer = Mailer(settings.smtp_host, settings.smtp_port, settings.statements_from)
    return StatementLoop(
        runtime.across_tenants,
        mailer=mailer,
        pay_at=settings.payment_page_url,
        interval=settings.statement_loop_seconds,
    )


SERVICE = Service(
    name="patient-billing",
    package="patient_billing",
    port=8009,
    title="claimstream patient billing",
    settings=PatientBillingSettings,
    routers=[api.router, statements_api.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    loops=[statement_loop],
    unit_of_work=PatientBillingWork,
)
