"""The scrubber, and the payer rules it reads (dated data)."""

from datetime import date, timedelta
from typing import Any

import pytest
from claim_submission.scrubbing.payer_rules import rules_for
from claim_submission.scrubbing.scrub import scrub
from claims_testkit import ADDRESS, claim_content
from claimstream_platform.payers import override

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({}, []),
        ({"service_date": TODAY - timedelta(days=366)}, ["timely-filing.expired"]),
        ({"service_date": TODAY - timedelta(days=365)}, []),
        (
            {
                "payer": {"payer_id": "SIMAHP", "name": "Apex", "kind": "commercial", "claim_filing_indicator": "HM"},
                "service_date": TODAY - timedelta(days=91),
            },
            ["timely-filing.expired", "authorization.missing"],
        ),
        (
            {
                "payer": {"payer_id": "SIMAHP", "name": "Apex", "kind": "commercial", "claim_filing_indicator": "HM"},
                "prior_authorization_number": "PA1",
            },
            [],
        ),
        (
            {
                "billing_provider": {
                    "practice_id": "00000000-0000-0000-0000-0000000000b1",
                    "name": "X",
                    "npi": "1679576723",
                    "tax_id": "12345",
                    "taxonomy": "261QM0801X",
                    "address": {**ADDRESS, "line1": "PO Box 12", "postal_code": "97201"},
                }
            },
            ["billing-provider.npi", "billing-provider.tax-id", "billing-provider.zip4", "billing-provider.po-box"],
        ),
        (
            {
                "lines": [
                    {
                        "line_number": 1,
                        "code": "90837",
                        "modifiers": ["95", "93"],
                        "units": 1,
                        "amount": "10",
                        "diagnosis_pointers": [1, 5],
                    }
                ]
            },
            ["diagnosis.pointer", "modifiers.telehealth"],
        ),
    ],
)
def test_scrubber(changes: dict[str, Any], rules: list[str]) -> None:
    coded = claim_content(**{"service_date": TODAY - timedelta(days=3), **changes})
    assert [r.rule for r in scrub(coded, today=TODAY, duplicate=False)] == rules


def test_payer_rules_change_on_their_date() -> None:
    assert "90837" not in rules_for("SIMAHP", "commercial", date(2025, 12, 31)).prior_auth_codes
    assert "90837" in rules_for("SIMAHP", "commercial", date(2026, 1, 1)).prior_auth_codes
    assert rules_for("OTHER", "commercial", date(2026, 1, 1)).timely_filing_days == 90
    assert rules_for("SIMMCD", "medicaid", date(2026, 1, 1)).timely_filing_days == 180


def test_a_practices_own_facts_apply_over_ours_on_their_days() -> None:
    blue = {"payer_id": "SIMBCX", "name": "Blue", "kind": "commercial", "claim_filing_indicator": "BL"}
    coded = claim_content(service_date=TODAY - timedelta(days=150), payer=blue)
    contract = override(date(2026, 1, 1), None, {"timely_filing": "180 days"})
    later = override(date(2027, 1, 1), None, {"timely_filing": "180 days"})
    assert rules_for("SIMBCX", "commercial", coded.service_date, [contract]).window() == "180 days"
    assert [r.rule for r in scrub(coded, today=TODAY, duplicate=False)] == ["timely-filing.expired"]
    assert [r.rule for r in scrub(coded, today=TODAY, duplicate=False, overrides=[contract])] == []
    expired = scrub(coded, today=TODAY, duplicate=False, overrides=[later])  # not yet in force on the day served
    assert [r.rule for r in expired] == ["timely-filing.expired"]


@pytest.mark.parametrize(
    ("code", "visits", "number", "held"),
    [("90834", 29, None, False), ("90834", 30, None, True), ("90834", 30, "PA-1", False), ("90791", 40, None, False)],
)
def test_medicaid_therapy_needs_an_authorization_after_thirty_visits_a_year(
    code: str, visits: int, number: str | None, held: bool
) -> None:
    medicaid = {"payer_id": "SIMMCD", "name": "State Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"}
    base = claim_content(service_date=TODAY - timedelta(days=3), payer=medicaid, prior_authorization_number=number)
    coded = base.model_copy(update={"lines": [base.lines[0].model_copy(update={"code": code})]})
    rules = [r.rule for r in scrub(coded, today=TODAY, duplicate=False, visits_this_year=visits)]
    assert ("authorization.required" in rules) is held
    assert rules_for("SIMMCR", "medicare", TODAY).counts_visits(coded) is False


@pytest.mark.parametrize(
    ("served", "today", "expired"),
    [
        (date(2023, 3, 1), date(2024, 3, 1), False),  # 366 days across a leap day: still one calendar year
        (date(2023, 3, 1), date(2024, 3, 2), True),
        (date(2024, 2, 29), date(2025, 2, 28), False),  # a leap day's year ends on Feb 28
        (date(2024, 2, 29), date(2025, 3, 1), True),
    ],
)
def test_medicare_timely_filing_is_one_calendar_year(served: date, today: date, expired: bool) -> None:
    coded = claim_content(service_date=served)
    assert ("timely-filing.expired" in [r.rule for r in scrub(coded, today=today, duplicate=False)]) is expired
