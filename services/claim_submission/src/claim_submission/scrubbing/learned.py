"""Scrub rules learned from denial patterns (denial management's suggestions, accepted by billing staff). Pure.

A rule names a payer and a procedure code, and when a claim with them is held: it carries no authorization
number (`missing_authorization`), it bills a telehealth line at an in-person place (`telehealth_at_office`), or
always (billing staff look first). The hold's rule is `learned.<rule id>`, so a claim can be released with it
acknowledged, like any other finding.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from claimstream_platform.contracts import Reason

from claim_submission.domain.content import ClaimContent, Line

TELEHEALTH_PLACES = frozenset({"02", "10"})
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT", "FQ"})


@dataclass(frozen=True)
class LearnedRule:
    rule_id: UUID
    payer_id: str
    code: str
    condition: str
    message: str


def findings(content: ClaimContent, rules: Sequence[LearnedRule]) -> list[Reason]:
    found = []
    for rule in rules:
        lines = [line for line in content.lines if line.code == rule.code]
        if rule.payer_id == content.payer.payer_id and lines and _holds(rule.condition, content, lines):
            found.append(Reason(rule=f"learned.{rule.rule_id}", field="lines", message=rule.message[:300]))
    return found


def _holds(condition: str, content: ClaimContent, lines: list[Line]) -> bool:
    if condition == "missing_authorization":
        return not content.prior_authorization_number and not any(line.prior_authorization_number for line in lines)
    if condition == "telehealth_at_office":
        place = content.place_of_service
        return place not in TELEHEALTH_PLACES and any(TELEHEALTH_MODIFIERS & set(line.modifiers) for line in lines)
    return condition == "always"
