"""Claim submission, declared for the platform's service kit: the only wiring module (nothing else reads the
environment). `python -m claim_submission migrate | api | worker`; the worker runs the consumer, the outbox
relay, the submission loop and the claim status loop (276/277)."""

from datetime import timedelta
from pathlib import Path

from claimstream_platform.kit import Runtime, Service
from claimstream_platform.realtime import RealTimeClearinghouse
from claimstream_platform.settings import ServiceSettings
from pydantic import FilePath

from claim_submission.api import operations, status, submitter
from claim_submission.api.claims import router
from claim_submission.consumers import LOCKS, SUBSCRIPTIONS
from claim_submission.gateway import SimulatorGateway
from claim_submission.inbound.claim_status import Asked
from claim_submission.inbound.status_loop import StatusInquiryLoop
from claim_submission.outbound import submit
from claim_submission.outbound.submission_loop import SubmissionLoop
from claim_submission.outbound.x837 import Party, Submitter
from claim_submission.repository import ClaimWork


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
    status_inquiry_loop_seconds: float = 600.0  # claim status inquiries (276) due or asked for are sent


def _default_submitter(settings: ClaimSubmissionSettings) -> Submitter | None:
    """The installation's default submitter, checked like one set through the API (all of it, or none)."""
    if settings.default_submitter_id is None:
        return None
    return submitter.SubmitterIn(
        submitter_id=settings.default_submitter_id,
        name=settings.default_submitter_name,
        contact_name=settings.default_submitter_contact,
        phone=settings.default_submitter_phone,
    ).as_submitter()


def submission_loop(runtime: Runtime[ClaimSubmissionSettings]) -> SubmissionLoop:
    settings = runtime.settings
    gateway = SimulatorGateway.connect(settings.clearinghouse_url, settings.clearinghouse_token_file)
    runtime.on_close(gateway.close)
    envelope = submit.Envelope(
        Party(settings.receiver_id, settings.receiver_name), settings.interchange_usage, _default_submitter(settings)
    )
    overdue = timedelta(hours=settings.acknowledgment_overdue_hours)
    return SubmissionLoop(runtime.across_tenants, gateway, envelope, settings.submit_interval_seconds, overdue)


def status_inquiry_loop(runtime: Runtime[ClaimSubmissionSettings]) -> StatusInquiryLoop:
    settings = runtime.settings
    clearinghouse = RealTimeClearinghouse.connect(settings.clearinghouse_url, settings.clearinghouse_token_file)
    runtime.on_close(clearinghouse.close)
    default = _default_submitter(settings)
    names = (default.id, default.name) if default else ("", "")
    asked = Asked(*names, settings.receiver_id, settings.interchange_usage)
    interval = settings.status_inquiry_loop_seconds
    return StatusInquiryLoop(runtime.across_tenants, clearinghouse, asked, default, interval=interval)


SERVICE = Service(
    name="claim-submission",
    package="claim_submission",
    port=8004,
    title="claimstream claim submission",
    settings=ClaimSubmissionSettings,
    routers=[router, operations.router, submitter.router, status.router],
    migrations=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    locks=LOCKS,
    loops=[submission_loop, status_inquiry_loop],
    unit_of_work=ClaimWork,
    together=True,  # batches of its partitions named the same plans' and payers' locks and waited for each other
)
