"""Adjustment classes (docs/money.md): the group and CARC decide, by the rules in force on the day."""

from datetime import date

import pytest
from claimstream_platform.adjustments import AdjustmentClass, classify, rules

C = AdjustmentClass
DAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("group", "carc", "expected"),
    [
        ("PR", "1", C.PATIENT_COST_SHARE),  # the deductible: allowed, and the patient's
        ("PR", "3", C.PATIENT_COST_SHARE),
        ("PR", "204", C.PATIENT_NONCOVERED),  # a plan exclusion the patient was told of: the patient's, no denial
        ("PR", "96", C.PATIENT_NONCOVERED),
        ("CO", "45", C.CONTRACTUAL),
        ("CO", "131", C.CONTRACTUAL),  # a claim-specific negotiated discount
        ("CO", "253", C.PAYMENT_ADJUSTMENT),  # sequestration
        ("CO", "237", C.PAYMENT_ADJUSTMENT),
        ("CO", "144", C.PAYMENT_ADJUSTMENT),  # MIPS incentive, negative amounts included
        ("OA", "23", C.PRIOR_PAYER),
        ("CO", "97", C.DENIAL),
        ("CO", "50", C.DENIAL),
        ("OA", "18", C.DENIAL),  # a duplicate is worked (closed only when the original was paid)
        ("CO", "204", C.DENIAL),  # CO is the provider's liability: never the patient's
        ("PI", "96", C.DENIAL),
        ("CO", "9999", C.DENIAL),  # a code nobody classified: open for a person, never written off by a guess
    ],
)
def test_each_group_and_carc_has_its_class(group: str, carc: str, expected: AdjustmentClass) -> None:
    assert classify(group, carc, DAY) == expected


def test_a_rule_holds_only_from_its_date() -> None:
    assert classify("CO", "253", date(2013, 3, 31)) == C.DENIAL  # before sequestration began
    assert classify("CO", "253", date(2013, 4, 1)) == C.PAYMENT_ADJUSTMENT


def test_no_rule_sends_a_provider_liability_group_to_the_patient() -> None:
    patient = {C.PATIENT_COST_SHARE, C.PATIENT_NONCOVERED}
    for rule in rules():
        if rule.adjustment_class in patient:
            assert rule.groups == {"PR"}


def test_provider_adjustments_are_recoupments_interest_or_the_providers_own() -> None:
    from claimstream_platform.adjustments import provider_adjustment_kind

    assert [provider_adjustment_kind(r) for r in ("WO", "72", "L6", "FB", "CS")] == [
        "recoupment",
        "recoupment",
        "interest",
        "provider",
        "provider",
    ]
