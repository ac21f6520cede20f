"""Events denial management publishes on `denial-management.v1`: every denial and rejection as a case, triaged,
worked and resolved; and the corrections it asks claim submission to send.

A case is one denial event for one claim (a claim-level denial, one denied line of a paid claim, or a 999/277CA
rejection). Amounts are decimals to the cent. These events carry no patient names, member ids or diagnoses.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "denial-management.v1"
# denied_again: the corrected claim was denied (or rejected) again, and that denial is a case of its own;
# billed_to_patient and contractual appear only in events resolved before denials were classified (docs/money.md)
Resolution = Literal[
    "overturned",
    "corrected_and_paid",
    "written_off",
    "billed_to_patient",
    "closed_informational",
    "contractual",
    "denied_again",
]


class CorrectionChanges(BaseModel):
    """What to change on the claim before it goes again: each field says one concrete change."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    place_of_service: str | None = None  # CLM05-1 (and every line's SV105 that repeated it)
    add_modifiers: dict[int, list[str]] = {}  # line number -> modifiers to add (kept at most four)
    remove_modifiers: dict[int, list[str]] = {}  # line number -> modifiers to take off
    mental_health_diagnosis_first: bool = False  # make the first F-code principal (a Z-code may not lead)


class CorrectionRequested(IntegrationEvent):
    """Resubmit a denied or wrong claim: as a replacement (frequency 7) or, where the payer wants it after a
    denial, as a new original (frequency 1), with the changes that fix it."""

    event_type: ClassVar[str] = "claimstream.claim.correction-requested.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "claim_id"

    claim_id: UUID
    resubmit_as: Literal["replacement", "new_original"]
    reason: str
    prior_authorization_number: str | None = None  # when the correction supplies what was missing
    changes: CorrectionChanges | None = None
    case_id: UUID | None = None  # the denial case that asked for it


class _CaseEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    claim_id: UUID
    payer_id: str


class DenialTriaged(_CaseEvent):
    """A new case: its root cause, the action recommended, the money at stake and the deadline that counts."""

    event_type: ClassVar[str] = "claimstream.denial.triaged.v1"

    kind: Literal["denial", "rejection"]  # adjudicated by the payer, or never adjudicated (999/277CA)
    level: Literal["claim", "line"] = "claim"  # what was denied: the whole claim, or one line
    line_number: int | None = None  # the claim's line, for a line's denial
    codes: list[str]  # group-CARC pairs, RARCs, or 277CA category:status
    category: str
    action: str
    automatic: bool  # the fix is mechanical and was taken (or the case closed) with no person
    recoverable: Decimal
    deadline: date | None
    priority: int
    # what the deadline counts from: remittance_date (an appeal), service_date or prior_payer_paid_on (a
    # corrected claim: timely filing), for cases triaged before it was said: None
    deadline_basis: str | None = None


class DenialReopened(_CaseEvent):
    """The payer upheld its denial after an appeal: the case is back in the work queue."""

    event_type: ClassVar[str] = "claimstream.denial.reopened.v1"

    why: str


class DenialDeadlineApproaching(_CaseEvent):
    event_type: ClassVar[str] = "claimstream.denial.deadline-approaching.v1"

    deadline: date
    days_left: int
    recoverable: Decimal


class AppealFiled(_CaseEvent):
    """An appeal packet was prepared for the case (structured, and a rendered letter)."""

    event_type: ClassVar[str] = "claimstream.denial.appeal-filed.v1"

    deadline: date | None
    automatic: bool


class DenialResolved(_CaseEvent):
    event_type: ClassVar[str] = "claimstream.denial.resolved.v1"

    resolution: Resolution
    recovered: Decimal  # paid after the denial (0 when written off or closed)
    written_off: Decimal
    automatic: bool


class ScrubRuleAccepted(IntegrationEvent):
    """Billing staff accepted a rule learned from a denial pattern: claim submission's scrubber holds the claims
    it matches before they go out (with `message`), so the same denial does not come back."""

    event_type: ClassVar[str] = "claimstream.scrub-rule.accepted.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "rule_id"

    rule_id: UUID
    payer_id: str
    code: str  # the procedure code the pattern is about
    # when the rule holds a claim of that payer with that code: it has no authorization number, it bills a
    # telehealth line at an in-person place of service, or always (billing staff look first)
    condition: Literal["missing_authorization", "telehealth_at_office", "always"]
    category: str
    message: str
    evidence_claims: int
    evidence_amount: Decimal
