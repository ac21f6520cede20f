"""The clearinghouse simulator, declared for the platform's service kit: the only wiring module (nothing else
reads the environment). `python -m clearinghouse_simulator migrate | api | worker`; the worker adjudicates on a
timer; the API also plays the payment processor (processor.py) when given its key and webhook secret."""

from pathlib import Path

from claimstream_platform.auth import CLEARINGHOUSE_AUDIENCE, CLEARINGHOUSE_ISSUER
from claimstream_platform.kit import Runtime, Service
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI
from pydantic import AliasChoices, Field

from clearinghouse_simulator import bank_api, claims_api, frontend, processor
from clearinghouse_simulator.api import router
from clearinghouse_simulator.payers import shipped
from clearinghouse_simulator.processor import Processor
from clearinghouse_simulator.repository import SimulatorWork
from clearinghouse_simulator.settle import CycleLoop


class SimulatorSettings(ServiceSettings):
    """The outside world verifies its own tokens (SIMULATOR_PUBLIC_KEY_FILE), never claimstream's."""

    auth_public_key_file: Path = Field(
        validation_alias=AliasChoices("simulator_public_key_file", "auth_public_key_file")
    )
    auth_issuer: str = CLEARINGHOUSE_ISSUER
    auth_audience: str = CLEARINGHOUSE_AUDIENCE
    sim_seed: int = 7  # fixes every choice the payers make at random
    sim_cycle_seconds: float = 5.0  # how often the payers adjudicate (seconds in tests, a day in a realistic run)
    # one inbox file per submitter and cycle, holding every payer's 835 (one interchange each), as clearinghouses
    # deliver them; otherwise one file per 835
    sim_bundle_835s: bool = False
    # the payment processor it plays (processor.py): its secret key, and where and with what secret it signs webhooks
    processor_api_key_file: Path | None = None
    processor_webhook_secret_file: Path | None = None
    processor_webhook_url: str | None = None


def _payers(settings: SimulatorSettings, app: FastAPI) -> None:
    app.state.seed, app.state.bundle_835s = settings.sim_seed, settings.sim_bundle_835s
    app.state.payer_book = shipped()
    frontend.code_set()
    if settings.processor_api_key_file and settings.processor_webhook_secret_file:
        key = settings.processor_api_key_file.read_text().strip()
        secret = settings.processor_webhook_secret_file.read_bytes().strip()
        app.state.processor = Processor(key, settings.processor_webhook_url, secret)


def cycle_loop(runtime: Runtime[SimulatorSettings]) -> CycleLoop:
    settings = runtime.settings
    return CycleLoop(
        runtime.across_tenants,
        shipped(),
        seed=settings.sim_seed,
        interval=settings.sim_cycle_seconds,
        bundle_835s=settings.sim_bundle_835s,
    )


SERVICE = Service(
    name="clearinghouse-simulator",
    package="clearinghouse_simulator",
    port=8010,
    title="claimstream clearinghouse simulator",
    settings=SimulatorSettings,
    routers=[router, claims_api.router, processor.router, bank_api.router],
    migrations=Path(__file__).parent / "migrations",
    loops=[cycle_loop],
    prepare_app=_payers,
    publishes=False,
    stand_in=True,
    # A cluster's demo gives them from its Secret (docs/deploy.md): its own key, and the processor's it plays
    files=["simulator_public_key_file", "processor_api_key_file", "processor_webhook_secret_file"],
    unit_of_work=SimulatorWork,
)
