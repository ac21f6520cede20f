"""Prevention: a denial pattern (payer × procedure code × CARC over a window) as a suggested scrub rule, with its
evidence. Pure.

A pattern is suggested once it has struck `MIN_CLAIMS` claims in `WINDOW_DAYS`. The rule says when claim
submission's scrubber holds a claim of that payer with that code: for an authorization denial, when the claim
carries no authorization number; for a place-of-service denial, when it bills telehealth at an in-person place;
otherwise always (billing staff look before it goes). Routine adjustments, duplicates, timely filing and
eligibility are not learned: a rule on the claim cannot prevent them.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from uuid import UUID

from claimstream_platform.contracts.denial_management import ScrubRuleAccepted
from claimstream_platform.errors import Conflict

MIN_CLAIMS = 3
WINDOW_DAYS = 90
CONDITIONS = {"authorization": "missing_authorization", "place_of_service": "telehealth_at_office"}
NOT_LEARNED = frozenset(
    {
        "patient_cost_share",
        "patient_responsibility",
        "contractual",
        "coordination_of_benefits",
        "duplicate",
        "timely_filing",
        "eligibility",
        "unclassified",
    }
)


@dataclass(frozen=True)
class Pattern:
    payer_id: str
    code: str
    carc: str  # GROUP-CARC, as the cases name it
    category: str
    action: str


@dataclass(frozen=True)
class Suggestion:
    pattern: Pattern
    condition: str
    message: str
    claims: int
    amount: Decimal


def learnable(category: str, code: str | None) -> bool:
    return bool(code) and category not in NOT_LEARNED


def suggestion(pattern: Pattern, claims: int, amount: Decimal) -> Suggestion | None:
    if claims < MIN_CLAIMS or not learnable(pattern.category, pattern.code):
        return None
    condition = CONDITIONS.get(pattern.category, "always")
    message = (
        f"{pattern.payer_id} denied {claims} claims with {pattern.code} as {pattern.carc} in "
        f"{WINDOW_DAYS} days: {pattern.action}"
    )
    return Suggestion(pattern, condition, message[:300], claims, amount)


@dataclass
class RuleSuggestion:
    """A scrub rule suggested from a denial pattern, waiting for billing staff. Accepted, it asks claim
    submission's scrubber to hold the claims it matches (`ScrubRuleAccepted`); rejected, it asks nothing."""

    id: UUID
    tenant_id: UUID
    payer_id: str
    code: str
    condition: Literal["missing_authorization", "telehealth_at_office", "always"]
    category: str
    message: str
    claims: int
    amount: Decimal
    status: str
    events: list[ScrubRuleAccepted] = field(default_factory=list)

    def decide(self, status: Literal["accepted", "rejected"]) -> None:
        if self.status != "suggested":
            raise Conflict(f"the suggestion was {self.status} already", field="status")
        self.status = status
        if status == "accepted":
            self.events.append(
                ScrubRuleAccepted(
                    tenant_id=self.tenant_id,
                    rule_id=self.id,
                    payer_id=self.payer_id,
                    code=self.code,
                    condition=self.condition,
                    category=self.category,
                    message=self.message,
                    evidence_claims=self.claims,
                    evidence_amount=self.amount,
                )
            )

    def take_events(self) -> list[ScrubRuleAccepted]:
        taken, self.events = self.events, []
        return taken
