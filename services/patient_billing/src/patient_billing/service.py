"""Patient billing, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m patient_billing migrate | api | worker | announce-standings`; the worker runs the
consumer, the outbox relay, the statements' loop (cycle-day runs, then the email statements through SMTP), the card
refunds' loop and the payment plans' loop (autopay, missed installments)."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI

from patient_billing import api, credits_api, link_api, plans_api, statements_api
from patient_billing.consumers import LOCKS, SUBSCRIPTIONS
from patient_billing.links import Links
from patient_billing.mailer import Mailer
from patient_billing.plan_loop import PlanLoop
from patient_billing.processor import ProcessorClient
from patient_billing.refund_loop import RefundLoop
from patient_billing.repository import PatientBillingWork
from patient_billing.statement_loop import StatementLoop


class PatientBillingSettings(ServiceSettings):
    smtp_host: str = "127.0.0.1"  # the mail relay statements go through (the local stack's SMTP sink)
    smtp_port: int = 25
    smtp_starttls: bool = False  # a production relay: true, with a login (the local sink takes plain mail)
    smtp_username: str | None = None
    smtp_password_file: Path | None = None
    smtp_ca_file: Path | None = None  # a private authority that signed the relay's certificate
    statements_from: str = "statements@claimstream.example"
    payment_page_url: str = "https://pay.claimstream.example"  # each statement's link: <this>/pay#<its token>
    statement_link_key_file: Path  # signs the statements' payment links (32 random bytes or more)
    processor_url: str = "http://127.0.0.1:8010"  # the payment processor (the simulator plays it locally)
    processor_api_key_file: Path  # the processor's secret key
    processor_webhook_secret_file: Path  # what the processor signs its webhooks with
    statement_loop_seconds: float = 60.0
    refund_loop_seconds: float = 5.0
    plan_loop_seconds: float = 3600.0


def links(settings: PatientBillingSettings) -> Links:
    return Links(settings.statement_link_key_file.read_bytes().strip())


def mailer(settings: PatientBillingSettings) -> Mailer:
    password = settings.smtp_password_file.read_text().strip() if settings.smtp_password_file else None
    return Mailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.statements_from,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=password,
        ca_file=settings.smtp_ca_file,
    )


def processor(settings: PatientBillingSettings) -> ProcessorClient:
    return ProcessorClient(settings.processor_url, settings.processor_api_key_file.read_text().strip())


def _prepare(settings: PatientBillingSettings, app: FastAPI) -> None:
    app.state.pay_at = links(settings).page(settings.payment_page_url)
    app.state.links, app.state.processor = links(settings), processor(settings)
    app.state.webhook_secret = settings.processor_webhook_secret_file.read_bytes().strip()


def announce_standings(settings: PatientBillingSettings) -> int:
    """`python -m patient_billing announce-standings`."""
    from patient_billing import announce

    return announce.main(settings.across_tenants_url, settings.database_schema)


def statement_loop(runtime: Runtime[PatientBillingSettings]) -> StatementLoop:
    settings = runtime.settings
    pay_at = links(settings).page(settings.payment_page_url)
    return StatementLoop(
        runtime.across_tenants, mailer=mailer(settings), pay_at=pay_at, interval=settings.statement_loop_seconds
    )


def refund_loop(runtime: Runtime[PatientBillingSettings]) -> RefundLoop:
    settings = runtime.settings
    return RefundLoop(runtime.across_tenants, processor=processor(settings), interval=settings.refund_loop_seconds)


def plan_loop(runtime: Runtime[PatientBillingSettings]) -> PlanLoop:
    settings = runtime.settings
    pay_at = links(settings).page(settings.payment_page_url)
    return PlanLoop(
        runtime.across_tenants,
        processor=processor(settings),
        mailer=mailer(settings),
        pay_at=pay_at,
        interval=settings.plan_loop_seconds,
    )


SERVICE = Service(
    name="patient-billing",
    package="patient_billing",
    port=8009,
    title="claimstream patient billing",
    settings=PatientBillingSettings,
    routers=[api.router, statements_api.router, credits_api.router, plans_api.router, link_api.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    locks=LOCKS,
    loops=[statement_loop, refund_loop, plan_loop],
    prepare_app=_prepare,
    unit_of_work=PatientBillingWork,
    together=True,  # batches of its partitions named the same accounts' locks and waited for each other
    gather_seconds=1.0,  # people read what it keeps, not by the second: a longer rest makes fewer, larger batches
    commands={"announce-standings": ("announce the standing of accounts older than standings", announce_standings)},
)
