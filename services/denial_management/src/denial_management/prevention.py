"""Prevention: a denial pattern (payer × procedure code × CARC over a window) as a suggested scrub rule, with its
evidence. Pure.

A pattern is suggested once it has struck `MIN_CLAIMS` claims in `WINDOW_DAYS`. The rule says when claim
submission's scrubber holds a claim of that payer with that code: for an authorization denial, when the claim
carries no authorization number; for a place-of-service denial, when it bills telehealth at an in-person place;
otherwise always (billing staff look before it goes). Routine adjustments, duplicates, timely filing and
eligibility are not learned: a rule on the claim cannot prevent them.
"""

from dataclasses import dataclass
from decimal import Decimal

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
