"""The payer facts (docs/domain/payers.md): layered any payer, kind, payer; each layer in force from its date."""

from datetime import date

import pytest
from claimstream_platform.payers import (
    KINDS,
    Layer,
    Window,
    administrators,
    change_days,
    known_payers,
    layers,
    override,
    payer_facts,
)

DAY = date(2026, 6, 1)


def test_simbcx_files_within_120_days_as_the_payer_does() -> None:
    """Denial management once kept 180 days for the Blue plan while claim submission kept 120. The payer's rule
    decides, and the payer (the simulator stands for it) refuses a claim filed after 120 days from the date of
    service: with 180, a corrected claim's deadline fell two months after the payer would refuse it as late."""
    facts = payer_facts("SIMBCX", on=DAY)
    assert facts.timely_filing == Window(days=120)
    assert facts.timely_filing.deadline(date(2026, 1, 15)) == date(2026, 5, 15)
    assert facts.corrected_claim == facts.timely_filing  # no window of its own for a corrected claim
    assert facts.appeal == Window(days=180)  # the appeal window is another rule


def test_medicare_counts_one_calendar_year_in_months() -> None:
    facts = payer_facts("SIMMCR", on=DAY)
    assert str(facts.timely_filing) == "12 months"
    assert facts.timely_filing.deadline(date(2024, 2, 29)) == date(2025, 2, 28)
    assert facts.appeal.deadline(date(2026, 3, 1)) == date(2026, 6, 29)


def test_the_payer_wins_over_its_kind_and_the_kind_over_any_payer() -> None:
    assert payer_facts("SIMMCD", on=DAY).timely_filing == Window(days=180)  # its own, not Medicaid's 12 months
    assert payer_facts("ANOTHER", "medicaid", on=DAY).timely_filing == Window(months=12)
    assert payer_facts("ANOTHER", on=DAY).timely_filing == Window(days=90)  # neither known: any payer's


def test_a_known_payers_kind_applies_when_the_caller_does_not_name_one() -> None:
    assert known_payers()["SIMMCR"] == "medicare"
    assert payer_facts("SIMMCR", on=DAY).kind == "medicare"
    assert payer_facts("SIMMCR", on=DAY).timely_filing == Window(months=12)
    assert set(known_payers().values()) <= set(KINDS)


def test_a_payer_of_a_kind_we_know_is_held_for_no_authorization_one_we_know_nothing_of_is() -> None:
    assert payer_facts("ANOTHER", "commercial", on=DAY).authorization.always == frozenset()
    unknown = payer_facts("ANOTHER", on=DAY).authorization
    assert {"96130", "H0035", "90867"} <= unknown.always
    assert unknown.after_visits is None and unknown.review_at == ()


def test_simahp_wants_60_minute_sessions_authorized_from_2026() -> None:
    before = payer_facts("SIMAHP", on=date(2025, 12, 31)).authorization
    after = payer_facts("SIMAHP", on=date(2026, 1, 1)).authorization
    assert "90837" not in before.always and before.review_at == ()
    assert "90837" in after.always and after.review_at == (8, 16)
    assert date(2026, 1, 1) in change_days()


def test_medicaid_therapy_needs_an_authorization_after_30_visits() -> None:
    facts = payer_facts("SIMMCD", on=DAY)
    assert facts.authorization.after_visits == 30 and "90837" in facts.authorization.visit_codes
    assert facts.visit_limit == 30
    assert (facts.telehealth_modifier, facts.telehealth_place, facts.new_original_after_denial) == ("GT", "02", True)


def test_a_hard_visit_cap_is_a_limit_without_an_authorization_rule() -> None:
    facts = payer_facts("SIMAHP", on=DAY)
    assert facts.visit_limit == 20 and facts.authorization.after_visits is None
    assert payer_facts("SIMMCR", on=DAY).visit_limit is None


def test_a_layer_holds_from_its_first_day_until_the_day_before_its_end() -> None:
    layer = Layer("payer:X", date(2026, 1, 1), date(2026, 7, 1), {})
    assert not layer.holds("payer:X", date(2025, 12, 31))
    assert layer.holds("payer:X", date(2026, 1, 1)) and layer.holds("payer:X", date(2026, 6, 30))
    assert not layer.holds("payer:X", date(2026, 7, 1)) and not layer.holds("payer:Y", date(2026, 3, 1))


def test_every_layer_reads_and_every_known_payer_has_all_its_facts() -> None:
    assert layers()[0].scope == "default"
    for payer_id in known_payers():
        for day in change_days():
            assert payer_facts(payer_id, on=day).telehealth_modifier


@pytest.mark.parametrize("text", ["120", "12 weeks", "twelve months"])
def test_a_window_is_days_or_months(text: str) -> None:
    with pytest.raises(ValueError, match="window"):
        Window.parse(text)


def test_a_kind_we_do_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        payer_facts("ANOTHER", "dental", on=DAY)


def test_a_carve_out_administrator_is_known_by_its_name_or_tax_id_from_its_date() -> None:
    (administrator,) = [a for a in administrators() if a.payer_id == "SIMBHO"]
    assert "SIMULATED BEHAVIORAL HEALTH" in administrator.names
    assert ("FI", "355555555") in administrator.ids and administrator.since == date(2024, 1, 1)


def test_a_practices_override_wins_from_its_date_and_only_for_what_it_says() -> None:
    longer = override(date(2026, 3, 1), None, {"timely_filing": "180 days", "telehealth_modifier": "GT"})
    before = payer_facts("SIMBCX", on=date(2026, 2, 28), overrides=[longer])
    after = payer_facts("SIMBCX", on=date(2026, 3, 1), overrides=[longer])
    assert before.timely_filing == Window(days=120) and after.timely_filing == Window(days=180)
    assert after.telehealth_modifier == "GT" and after.appeal == payer_facts("SIMBCX", on=DAY).appeal
    ended = override(date(2026, 3, 1), date(2026, 4, 1), {"timely_filing": "12 months"})
    assert payer_facts("SIMBCX", on=date(2026, 4, 1), overrides=[ended]).timely_filing == Window(days=120)


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"timely_filing": "four months"}, "timely_filing"),
        ({"timely_filling": "90 days"}, "timely_filling"),
        ({"visit_limit": "many"}, "visit_limit"),
        ({"authorization_review_at": ["eight"]}, "authorization_review_at"),
    ],
)
def test_an_override_the_facts_cannot_take_names_its_field(facts: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        override(DAY, None, facts)
    with pytest.raises(ValueError, match="^effective_to: "):
        override(DAY, DAY, {"timely_filing": "90 days"})
