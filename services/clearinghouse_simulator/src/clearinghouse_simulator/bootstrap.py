"""The one wiring module: settings, the API app, the adjudication worker, migrations."""

import asyncio
import logging
import signal
from pathlib import Path

from claimstream_platform import migrate as migrations
from claimstream_platform.auth import CLEARINGHOUSE_AUDIENCE, CLEARINGHOUSE_ISSUER
from claimstream_platform.db import create_engine
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.telemetry import configure_for
from claimstream_platform.web import create_app
from fastapi import FastAPI
from pydantic import AliasChoices, Field
from sqlalchemy.ext.asyncio import async_sessionmaker

from clearinghouse_simulator import settle
from clearinghouse_simulator.api import MAX_INTERCHANGE_BYTES, router
from clearinghouse_simulator.payers import shipped

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


class SimulatorSettings(ServiceSettings):
    """The outside world verifies its own tokens (SIMULATOR_PUBLIC_KEY_FILE), never claimstream's."""

    auth_public_key_file: Path = Field(
        validation_alias=AliasChoices("simulator_public_key_file", "auth_public_key_file")
    )
    auth_issuer: str = CLEARINGHOUSE_ISSUER
    auth_audience: str = CLEARINGHOUSE_AUDIENCE
    sim_seed: int = 7  # fixes every choice the payers make at random
    sim_cycle_seconds: float = 5.0  # how often the payers adjudicate (seconds in tests, a day in a realistic run)


def settings() -> SimulatorSettings:
    return SimulatorSettings()  # every field comes from the environment


def app(service_settings: SimulatorSettings | None = None) -> FastAPI:
    service_settings = service_settings or settings()
    configure_for(service_settings)
    application = create_app(
        service_settings, title="claimstream clearinghouse simulator", routers=[router],
        max_body_bytes=MAX_INTERCHANGE_BYTES,
    )  # fmt: skip
    application.state.seed = service_settings.sim_seed
    application.state.payer_book = shipped()
    return application


def migrate() -> None:
    migrations.upgrade_service(settings(), MIGRATIONS)


async def run_worker() -> None:
    """Adjudicate on a timer until SIGTERM; a failed cycle is logged and retried at the next tick."""
    service_settings = settings()
    configure_for(service_settings)
    engine = create_engine(service_settings.database_url.get_secret_value(), schema=service_settings.database_schema)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stopping.set)
    try:
        while not stopping.is_set():
            try:
                async with sessionmaker() as session:
                    summary = await settle.settle(session, shipped(), seed=service_settings.sim_seed)
                    await session.commit()
                if summary.claims:
                    log.info("cycle", extra={"claims": summary.claims, "remittances": summary.remittances})
            except Exception as error:  # the database may be restarting: try again next cycle
                log.warning("cycle failed", extra={"error": type(error).__name__})
            try:
                await asyncio.wait_for(stopping.wait(), timeout=service_settings.sim_cycle_seconds)
            except TimeoutError:
                pass
    finally:
        await engine.dispose()
