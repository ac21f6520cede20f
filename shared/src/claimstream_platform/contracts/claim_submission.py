"""Events claim submission publishes on `claim-submission.v1`, keyed by claim.

A claim is one version of one encounter's charges sent to one payer. Its life: created (ready or held) ->
submitted -> acknowledged (999 accepted its transaction) -> accepted or rejected (277CA); a correction makes a
new claim (frequency 7 replacement or a new original) and a void sends frequency 8.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent, Reason

TOPIC = "claim-submission.v1"


class _ClaimEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "claim_id"

    claim_id: UUID
    encounter_id: UUID
    patient_control_number: str  # CLM01: unique per claim version


class ClaimLine(BaseModel):
    """A service line as the claim bills it: what a remittance is matched against."""

    model_config = ConfigDict(frozen=True)

    line_number: int
    code: str
    modifiers: list[str]
    units: int
    amount: Decimal
    control_number: str  # 2400 REF*6R, echoed by the payer in the 835


class ClaimCreated(_ClaimEvent):
    event_type: ClassVar[str] = "claimstream.claim.created.v1"

    payer_id: str
    frequency: str  # 1 original, 7 replacement, 8 void
    total_charge: Decimal
    service_date: date
    replaces_claim_id: UUID | None = None
    lines: list[ClaimLine] = []  # absent from events published before lines were added
    # the billed payer's place: a secondary or tertiary claim carries the earlier payers' payments (COB)
    responsibility: Literal["primary", "secondary", "tertiary"] = "primary"
    place_of_service: str | None = None  # CLM05-1: what a denial for the place of service is checked against
    patient_ref: str | None = None  # the practice's patient id (no name, birth date or member id)
    prior_authorization_number: str | None = None  # 2300 REF*G1: what an authorization denial is checked against
    # a later payer's claim: the day the payer before it paid (2330B DTP*573), from which some payers count the
    # timely filing of a secondary claim
    prior_payer_paid_on: date | None = None
    # the billed payer's kind as the claim says it: a payer our facts do not name is judged by its kind's facts
    # (docs/domain/payers.md); None in events published before it was added
    payer_kind: Literal["medicare", "medicaid", "commercial"] | None = None


class ClaimHeld(_ClaimEvent):
    """The scrubber found what a payer would reject or deny: held in the work queue with the reasons."""

    event_type: ClassVar[str] = "claimstream.claim.held.v1"

    reasons: list[Reason]


class ClaimSubmitted(_ClaimEvent):
    event_type: ClassVar[str] = "claimstream.claim.submitted.v1"

    interchange_control_number: str
    submitted_on: date | None = None  # the day it went out, on the practice's calendar; None in earlier events


class ClaimAcknowledged(_ClaimEvent):
    """The clearinghouse's 999 accepted the transaction set that carried the claim."""

    event_type: ClassVar[str] = "claimstream.claim.acknowledged.v1"


class ClaimRejected(_ClaimEvent):
    """A 999 or a 277CA rejected the claim: it is back in the work queue with the reasons."""

    event_type: ClassVar[str] = "claimstream.claim.rejected.v1"

    source: str  # 999 or 277CA
    reasons: list[Reason]


class ClaimAccepted(_ClaimEvent):
    """The payer accepted the claim into adjudication (277CA A1/A2) and numbered it."""

    event_type: ClassVar[str] = "claimstream.claim.accepted.v1"

    payer_claim_number: str | None = None


class ClaimResubmitted(_ClaimEvent):
    """A corrected claim replaces an earlier one (`replaces_claim_id`)."""

    event_type: ClassVar[str] = "claimstream.claim.resubmitted.v1"

    replaces_claim_id: UUID
    frequency: str


class ClaimVoided(_ClaimEvent):
    event_type: ClassVar[str] = "claimstream.claim.voided.v1"

    reason: str


class ClaimAcknowledgmentOverdue(_ClaimEvent):
    """Emitted by claim submission when a sent claim has had no 277CA within the configured time: an alert for
    billing staff and ops (the claim may have been lost between clearinghouse and payer). Raised once per claim."""

    event_type: ClassVar[str] = "claimstream.claim.acknowledgment-overdue.v1"

    status: str  # where it stands: submitting, submitted or acknowledged
    waiting_since: datetime


# What a claim status answer (277) means for a claim the payer accepted: paid_without_era, the payer says it paid
# (F1) and no remittance reached us; denied (F2), no remittance here either; remitted,
# finalized and its remittance is here (nothing to do: the remittance said it all); not_found (A4); pending,
# anything else (in process, or more information wanted).
StatusFinding = Literal["paid_without_era", "denied", "remitted", "not_found", "pending"]


class ClaimStatusReported(_ClaimEvent):
    """The payer's answer to our claim status inquiry (276/277, 005010X212), and what it means for the claim."""

    event_type: ClassVar[str] = "claimstream.claim.status-reported.v1"

    payer_id: str
    category: str  # STC01-1, the claim status category code
    code: str  # STC01-2, the claim status code
    effective: date | None
    paid: Decimal | None  # STC05
    paid_on: date | None  # STC08
    check_number: str | None  # STC09: the check or EFT trace
    finding: StatusFinding
