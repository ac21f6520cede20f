"""Scrub rules learned from denial patterns: each holds only the claims its condition matches."""

from decimal import Decimal
from uuid import uuid4

from claim_submission.scrubbing.learned import LearnedRule, findings
from claim_submission.scrubbing.scrub import scrub
from claims_testkit import RECENT, claim_content

LINE = {
    "line_number": 1,
    "code": "90834",
    "modifiers": ["95"],
    "units": 1,
    "amount": Decimal("140"),
    "diagnosis_pointers": [1],
}


def rule(condition: str, payer: str = "SIMMCR", code: str = "90834") -> LearnedRule:
    return LearnedRule(uuid4(), payer, code, condition, f"{payer} denies {code}: {condition}")


def test_missing_authorization_holds_only_a_claim_without_one() -> None:
    learned = [rule("missing_authorization")]
    assert [r.rule for r in findings(claim_content(lines=[LINE]), learned)] == [f"learned.{learned[0].rule_id}"]
    assert findings(claim_content(lines=[LINE], prior_authorization_number="PA1"), learned) == []
    own = [{**LINE, "prior_authorization_number": "PA2"}]
    assert findings(claim_content(lines=own), learned) == []


def test_telehealth_at_the_office_place_and_always() -> None:
    at_office = [rule("telehealth_at_office")]
    assert len(findings(claim_content(lines=[LINE], place_of_service="11"), at_office)) == 1
    assert findings(claim_content(lines=[LINE], place_of_service="02"), at_office) == []
    in_person = [{**LINE, "modifiers": []}]
    assert findings(claim_content(lines=in_person, place_of_service="11"), at_office) == []
    assert len(findings(claim_content(lines=in_person), [rule("always")])) == 1


def test_another_payer_or_code_is_not_held_and_scrub_reports_the_finding() -> None:
    content = claim_content(lines=[LINE], service_date=RECENT)
    assert findings(content, [rule("always", payer="SIMBCX"), rule("always", code="90837")]) == []
    learned = [rule("always")]
    reasons = scrub(content, today=RECENT, duplicate=False, learned=learned)
    assert [r.rule for r in reasons] == [f"learned.{learned[0].rule_id}"] and "SIMMCR denies 90834" in reasons[
        0
    ].message
