"""Remittance posting, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m remittance_posting migrate | api | worker`; the worker runs the consumer, the outbox
relay and the intake loop (the clearinghouse inbox's 835s)."""

from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.settings import ServiceSettings
from pydantic import FilePath

from remittance_posting import api, exceptions_api, ledger_api, variance_api
from remittance_posting.consumers import SUBSCRIPTIONS
from remittance_posting.gateway import SimulatorInbox
from remittance_posting.intake_loop import IntakeLoop
from remittance_posting.repository import PostingWork
from remittance_posting.silence_loop import SilenceLoop


class RemittancePostingSettings(ServiceSettings):
    clearinghouse_url: str
    clearinghouse_token_file: FilePath  # this claimstream installation's credential at the clearinghouse
    intake_interval_seconds: float = 2.0
    payer_silence_days: float = 30.0  # accepted claims unpaid this long, and nothing from the payer: reported
    payer_silence_check_seconds: float = 3600.0


def intake_loop(runtime: Runtime[RemittancePostingSettings]) -> IntakeLoop:
    settings = runtime.settings
    inbox = SimulatorInbox.connect(settings.clearinghouse_url, settings.clearinghouse_token_file)
    runtime.on_close(inbox.close)
    return IntakeLoop(runtime.across_tenants, inbox, settings.intake_interval_seconds)


def silence_loop(runtime: Runtime[RemittancePostingSettings]) -> SilenceLoop:
    settings = runtime.settings
    return SilenceLoop(
        runtime.across_tenants, days=settings.payer_silence_days, interval=settings.payer_silence_check_seconds
    )


SERVICE = Service(
    name="remittance-posting",
    package="remittance_posting",
    port=8005,
    title="claimstream remittance posting",
    settings=RemittancePostingSettings,
    # the exceptions first: `/v1/remittances/exceptions` is not a remittance id
    routers=[exceptions_api.router, api.router, ledger_api.router, variance_api.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    loops=[intake_loop, silence_loop],
    unit_of_work=PostingWork,
    together=True,  # a few events a partition: one transaction for all of them
)
