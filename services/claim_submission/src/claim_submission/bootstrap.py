"""The one wiring module: settings, the API app, the worker (consumer, relay, submission loop), migrations."""

import asyncio
import logging
import signal
from datetime import timedelta
from pathlib import Path

from claimstream_platform import heartbeats
from claimstream_platform import migrate as migrations
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.contracts.denial_management import CorrectionRequested
from claimstream_platform.db import UnitOfWork, create_engine
from claimstream_platform.messaging.consumer import Consumer, run_until_stopped
from claimstream_platform.messaging.outbox import OutboxRelay
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.telemetry import configure_for
from claimstream_platform.web import create_app
from fastapi import FastAPI
from pydantic import FilePath
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claim_submission import lifecycle, operations, submit, submitter
from claim_submission.api import router
from claim_submission.gateway import CredentialRefused, SimulatorGateway
from claim_submission.watch import flag_overdue
from claim_submission.x837 import Party, Submitter

MIGRATIONS = Path(__file__).parent / "migrations"
ROUTERS = [router, operations.router, submitter.router]
log = logging.getLogger(__name__)


class ClaimSubmissionSettings(ServiceSettings):
    clearinghouse_url: str
    clearinghouse_token_file: FilePath  # this claimstream installation's credential at the clearinghouse
    # The submitter of tenants that set none of their own (PUT /v1/submitter): for an installation that serves
    # one billing company. Unset by default: then each tenant must set its own before its claims go out.
    default_submitter_id: str | None = None
    default_submitter_name: str | None = None
    default_submitter_contact: str | None = None
    default_submitter_phone: str | None = None
    receiver_id: str = "CLAIMSTREAMSIM"
    receiver_name: str = "CLAIMSTREAM CLEARINGHOUSE SIMULATOR"
    interchange_usage: str = "P"  # ISA15: P production, T test
    submit_interval_seconds: float = 2.0
    acknowledgment_overdue_hours: float = 72.0  # a sent claim with no 277CA after this raises an alert


def _default_submitter(service_settings: ClaimSubmissionSettings) -> Submitter | None:
    """The installation's default submitter, checked like one set through the API (all of it, or none)."""
    if service_settings.default_submitter_id is None:
        return None
    return submitter.SubmitterIn(
        submitter_id=service_settings.default_submitter_id,
        name=service_settings.default_submitter_name,
        contact_name=service_settings.default_submitter_contact,
        phone=service_settings.default_submitter_phone,
    ).as_submitter()


def settings() -> ClaimSubmissionSettings:
    return ClaimSubmissionSettings()  # every field comes from the environment


def app(service_settings: ClaimSubmissionSettings | None = None) -> FastAPI:
    service_settings = service_settings or settings()
    configure_for(service_settings)
    return create_app(service_settings, title="claimstream claim submission", routers=ROUTERS)


def migrate() -> None:
    migrations.upgrade_service(settings(), MIGRATIONS)


SUBSCRIPTIONS = {
    ChargeCaptured: lifecycle.on_charge_captured,
    ChargeVoided: lifecycle.on_charge_voided,
    CorrectionRequested: lifecycle.on_correction_requested,
}


class SubmissionLoop:
    """Batch, send, read 277CAs, flag overdue claims, every `interval` seconds, until stopped. Each pass is
    recorded as a heartbeat (`/readyz` shows a stalled or failing loop). A refused credential stops all calls to
    the clearinghouse until the credential file changes: an operator sees it, nothing retries it silently."""

    NAME = "claim-submission.submission"

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], gateway: SimulatorGateway, envelope: submit.Envelope,
        interval: float, overdue_after: timedelta = timedelta(hours=72),
    ) -> None:  # fmt: skip
        self._sessionmaker = sessionmaker
        self._gateway = gateway
        self._envelope = envelope
        self._interval = interval
        self._overdue_after = overdue_after
        self._credential_refused = False
        self._stopping = asyncio.Event()

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessionmaker)

    async def run_once(self) -> None:
        await submit.batch(self._uow(), self._envelope)
        if self._credential_refused and not self._gateway.credential_changed():
            raise CredentialRefused("the clearinghouse refused our credential; replace the token file")
        self._credential_refused = False
        try:
            await submit.send(self._uow, self._gateway)
            await submit.read_statuses(self._uow, self._gateway)
        except CredentialRefused:
            self._credential_refused = True
            raise
        await flag_overdue(self._uow(), after=self._overdue_after)

    async def run(self) -> None:
        while not self._stopping.is_set():
            error: str | None = None
            try:
                await self.run_once()
            except CredentialRefused as refused:
                error = str(refused)
                log.error("submission stopped: clearinghouse credential refused", extra={"loop": self.NAME})
            except Exception as failure:  # the database or the clearinghouse is away: try again next tick
                error = type(failure).__name__
                log.warning("submission loop failed", extra={"loop": self.NAME, "error": error})
            try:
                await heartbeats.beat(self._sessionmaker, self.NAME, self._interval, error=error)
            except Exception as failure:
                log.warning("heartbeat not recorded", extra={"loop": self.NAME, "error": type(failure).__name__})
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()


async def run_worker() -> None:
    service_settings = settings()
    configure_for(service_settings)
    engine = create_engine(service_settings.database_url.get_secret_value(), schema=service_settings.database_schema)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    gateway = SimulatorGateway.connect(service_settings.clearinghouse_url, service_settings.clearinghouse_token_file)
    consumer = Consumer(
        name=service_settings.service_name,
        subscriptions=SUBSCRIPTIONS,  # type: ignore[arg-type]
        sessionmaker=sessionmaker,
        bootstrap_servers=service_settings.kafka_bootstrap_servers,
        batch_size=service_settings.consumer_batch_size,
        max_attempts=service_settings.consumer_max_attempts,
    )
    relay = OutboxRelay(
        sessionmaker,
        bootstrap_servers=service_settings.kafka_bootstrap_servers,
        source=service_settings.service_name,
        batch_size=service_settings.outbox_batch_size,
    )
    loop_worker = SubmissionLoop(
        sessionmaker,
        gateway,
        submit.Envelope(
            Party(service_settings.receiver_id, service_settings.receiver_name),
            service_settings.interchange_usage,
            _default_submitter(service_settings),
        ),
        service_settings.submit_interval_seconds,
        timedelta(hours=service_settings.acknowledgment_overdue_hours),
    )
    running = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        running.add_signal_handler(stop_signal, lambda: [w.stop() for w in (consumer, relay, loop_worker)])
    try:
        await run_until_stopped(consumer, relay, loop_worker)
    finally:
        await gateway.close()
        await engine.dispose()
