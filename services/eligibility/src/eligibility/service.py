"""Eligibility, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m eligibility migrate | api | worker`; the worker runs the outbox relay, the consumer of
captured charges and the loop that asks the checks it stores."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.realtime import RealTimeClearinghouse
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI
from pydantic import FilePath

from eligibility import api, estimates_api
from eligibility.check_loop import PendingChecks
from eligibility.consumers import LOCKS, SUBSCRIPTIONS
from eligibility.handlers import Sender
from eligibility.repository import EligibilityWork


class EligibilitySettings(ServiceSettings):
    clearinghouse_url: str
    clearinghouse_token_file: FilePath  # this installation's credential at the clearinghouse
    sender_id: str = "CSELIGIBILITY"  # ISA06 of our 270s (apart from claim submission's, so ISA13s never meet)
    receiver_id: str = "CLAIMSTREAMSIM"
    interchange_usage: str = "P"
    pending_check_seconds: float = 2.0  # how often the worker asks the checks its consumer stored


def prepare(settings: EligibilitySettings, app: FastAPI) -> None:
    app.state.clearinghouse = RealTimeClearinghouse.connect(
        settings.clearinghouse_url, settings.clearinghouse_token_file
    )
    app.state.sender = Sender(settings.sender_id, settings.receiver_id, settings.interchange_usage)


def pending_checks(runtime: Runtime[EligibilitySettings]) -> PendingChecks:
    settings = runtime.settings
    gateway = RealTimeClearinghouse.connect(settings.clearinghouse_url, settings.clearinghouse_token_file)
    runtime.on_close(gateway.close)
    sender = Sender(settings.sender_id, settings.receiver_id, settings.interchange_usage)
    return PendingChecks(runtime.across_tenants, gateway, sender, interval=settings.pending_check_seconds)


SERVICE = Service(
    name="eligibility",
    package="eligibility",
    port=8002,
    title="claimstream eligibility",
    settings=EligibilitySettings,
    routers=[api.router, estimates_api.router],
    migrations=Path(__file__).parent / "migrations",
    prepare_app=prepare,
    subscriptions=SUBSCRIPTIONS,
    locks=LOCKS,
    loops=[pending_checks],
    unit_of_work=EligibilityWork,
    together=True,  # batches of its partitions named the same coverages' locks and waited for each other
)
