"""The one wiring module: settings, the API app, the worker, migrations. Nothing else reads the environment."""

import asyncio
import signal
from pathlib import Path

from claimstream_platform import migrate as migrations
from claimstream_platform.db import create_engine
from claimstream_platform.messaging.consumer import run_until_stopped
from claimstream_platform.messaging.outbox import OutboxRelay
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.telemetry import configure_for
from claimstream_platform.web import create_app
from fastapi import FastAPI
from pydantic import FilePath
from sqlalchemy.ext.asyncio import async_sessionmaker

from charge_capture.api import router
from charge_capture.coding import rulebook

MIGRATIONS = Path(__file__).parent / "migrations"


class ChargeCaptureSettings(ServiceSettings):
    """The platform's settings plus the NCCI files an operator loads in place of the shipped fixture."""

    ncci_ptp_file: FilePath | None = None  # CMS practitioner PTP file, tab-separated text
    ncci_mue_file: FilePath | None = None  # CMS practitioner MUE file, tab-separated text


def settings() -> ChargeCaptureSettings:
    return ChargeCaptureSettings()  # every field comes from the environment


def app(service_settings: ChargeCaptureSettings | None = None) -> FastAPI:
    service_settings = service_settings or settings()
    configure_for(service_settings)
    # Load the rule data now, not on the first request.
    rulebook.install(rulebook.load(service_settings.ncci_ptp_file, service_settings.ncci_mue_file))
    return create_app(service_settings, title="claimstream charge capture", routers=[router])


def migrate() -> None:
    migrations.upgrade_service(settings(), MIGRATIONS)


async def run_worker() -> None:
    """Charge capture consumes nothing yet: its worker is the outbox relay."""
    service_settings = settings()
    configure_for(service_settings)
    engine = create_engine(service_settings.database_url.get_secret_value(), schema=service_settings.database_schema)
    relay = OutboxRelay(
        async_sessionmaker(engine, expire_on_commit=False),
        bootstrap_servers=service_settings.kafka_bootstrap_servers,
        source=service_settings.service_name,
        batch_size=service_settings.outbox_batch_size,
    )
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, relay.stop)
    try:
        await run_until_stopped(relay)
    finally:
        await engine.dispose()
