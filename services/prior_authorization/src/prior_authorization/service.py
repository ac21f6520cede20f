"""Prior authorization, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m prior_authorization migrate | api | worker`; the worker runs the outbox relay, the
consumer of captured and voided charges (the burn-down) and the loop that follows open requests."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.realtime import RealTimeClearinghouse
from claimstream_platform.settings import ServiceSettings
from fastapi import FastAPI
from pydantic import FilePath

from prior_authorization import api
from prior_authorization.consumers import LOCKS, SUBSCRIPTIONS
from prior_authorization.follow_loop import OpenRequests
from prior_authorization.handlers import Sender
from prior_authorization.repository import PriorAuthorizationWork


class PriorAuthorizationSettings(ServiceSettings):
    clearinghouse_url: str
    clearinghouse_token_file: FilePath  # this installation's credential at the clearinghouse
    sender_id: str = "CSAUTHORIZE"  # ISA06 of our 278s (apart from the other services', so ISA13s never meet)
    receiver_id: str = "CLAIMSTREAMSIM"
    interchange_usage: str = "P"
    follow_seconds: float = 2.0  # how often the worker sends open requests
    pended_wait_seconds: float = 5.0  # how long a pended request waits before it is asked again


def prepare(settings: PriorAuthorizationSettings, app: FastAPI) -> None:
    app.state.clearinghouse = RealTimeClearinghouse.connect(
        settings.clearinghouse_url, settings.clearinghouse_token_file
    )
    app.state.sender = Sender(settings.sender_id, settings.receiver_id, settings.interchange_usage)


def open_requests(runtime: Runtime[PriorAuthorizationSettings]) -> OpenRequests:
    settings = runtime.settings
    gateway = RealTimeClearinghouse.connect(settings.clearinghouse_url, settings.clearinghouse_token_file)
    runtime.on_close(gateway.close)
    sender = Sender(settings.sender_id, settings.receiver_id, settings.interchange_usage)
    return OpenRequests(
        runtime.across_tenants,
        gateway,
        sender,
        interval=settings.follow_seconds,
        pended_wait=settings.pended_wait_seconds,
    )


SERVICE = Service(
    name="prior-authorization",
    package="prior_authorization",
    port=8003,
    title="claimstream prior authorization",
    settings=PriorAuthorizationSettings,
    routers=[api.router],
    migrations=Path(__file__).parent / "migrations",
    prepare_app=prepare,
    subscriptions=SUBSCRIPTIONS,
    locks=LOCKS,
    loops=[open_requests],
    unit_of_work=PriorAuthorizationWork,
    together=True,  # batches of its partitions named the same patients' counts' locks and waited for each other
)
