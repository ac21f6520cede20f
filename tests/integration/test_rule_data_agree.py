"""One payer fact, one answer. Our knowledge of each payer lives in the platform's payer facts
(claimstream_platform/data/payers.toml, docs/domain/payers.md); the services that act on it must say what those
facts say, and the facts must say what the payers do where we depend on it: a claim that needs an authorization
would leave without one (the scrubber knowing less than the payer) or wait for one nobody asks for, and a corrected
claim's deadline would fall after the day the payer refuses it as late.

The simulated payers (clearinghouse_simulator/data/payers.toml) stand for the payers themselves: they may differ
from our facts on purpose (fees, edits, quirks), but not on timely filing, which services need an authorization,
visit limits, telehealth coding or how a denied claim is corrected. No stack: the packages' own data."""

from datetime import date

import pytest
from claim_submission.scrubbing.payer_rules import rules_for
from claimstream_platform.payers import KINDS, Window, administrators, change_days, known_payers, payer_facts
from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.payers import shipped as simulated
from denial_management.deadlines import appeal_deadline, case_deadline, corrected_claim_deadline
from prior_authorization import rules

PAYERS = sorted(simulated().payers.values(), key=lambda p: p.payer_id)
TODAY, BEFORE = date(2026, 6, 1), date(2025, 6, 1)  # SIMAHP began to want one for 90837 on 2026-01-01
DAYS = sorted({BEFORE, TODAY, *(day for day in change_days() if day >= date(2020, 1, 1))})
# Real payers our data does not name, one of each kind: every service must judge them by their kind, as the
# scrubber does (prior authorization and denial management once read them as a payer of no kind).
UNLISTED = {"ANYMCR": "medicare", "ANYMCD": "medicaid", "ANYCOM": "commercial"}


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_the_scrubber_holds_claims_by_the_payer_facts(payer: PayerProfile, day: date) -> None:
    facts = payer_facts(payer.payer_id, payer.kind, on=day)
    scrubber = rules_for(payer.payer_id, payer.kind, day)
    assert Window(scrubber.timely_filing_days, scrubber.timely_filing_months) == facts.timely_filing
    assert scrubber.prior_auth_codes == facts.authorization.always
    assert scrubber.prior_auth_after_visits == facts.authorization.after_visits
    assert scrubber.prior_auth_visit_codes == facts.authorization.visit_codes


@pytest.mark.parametrize("kind", KINDS)
def test_the_scrubber_knows_a_payer_we_do_not_by_its_kind(kind: str) -> None:
    facts = payer_facts("ANOTHER", kind, on=TODAY)
    scrubber = rules_for("ANOTHER", kind, TODAY)
    assert Window(scrubber.timely_filing_days, scrubber.timely_filing_months) == facts.timely_filing
    assert scrubber.prior_auth_codes == facts.authorization.always


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_prior_authorization_asks_for_what_the_scrubber_holds(payer: PayerProfile, day: date) -> None:
    scrubber = rules_for(payer.payer_id, payer.kind, day)
    authorizing = rules.rule_for(rules.shipped(), payer.payer_id, day)
    assert scrubber.prior_auth_codes == authorizing.always
    assert scrubber.prior_auth_after_visits == authorizing.after_visits
    assert scrubber.prior_auth_visit_codes == authorizing.visit_codes


@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_denial_management_counts_a_corrected_claim_by_the_payers_timely_filing(payer: PayerProfile) -> None:
    served = date(2026, 1, 15)
    facts = payer_facts(payer.payer_id, on=served)
    assert corrected_claim_deadline(payer.payer_id, served) == facts.timely_filing.deadline(served)


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize(("payer_id", "kind"), UNLISTED.items())
def test_prior_authorization_asks_for_what_the_scrubber_holds_of_a_payer_we_do_not_know(
    payer_id: str, kind: str, day: date
) -> None:
    assert payer_id not in known_payers()
    scrubber = rules_for(payer_id, kind, day)
    authorizing = rules.practice_rule(payer_id, day, kind=kind)
    assert scrubber.prior_auth_codes == authorizing.always
    assert scrubber.prior_auth_after_visits == authorizing.after_visits
    assert scrubber.prior_auth_visit_codes == authorizing.visit_codes


@pytest.mark.parametrize("served", DAYS, ids=str)
@pytest.mark.parametrize(("payer_id", "kind"), UNLISTED.items())
def test_denial_management_counts_a_payer_we_do_not_know_by_its_kind(payer_id: str, kind: str, served: date) -> None:
    assert payer_id not in known_payers()
    scrubber = rules_for(payer_id, kind, served)
    filing_by = Window(scrubber.timely_filing_days, scrubber.timely_filing_months).deadline(served)
    assert corrected_claim_deadline(payer_id, served, kind=kind) == filing_by
    opened = case_deadline(
        payer_id, appeal=False, denied_on=served, service_date=served, prior_payer_paid_on=None, kind=kind
    )
    assert opened.day == filing_by
    assert appeal_deadline(payer_id, served, kind=kind) == payer_facts(payer_id, kind, on=served).appeal.deadline(
        served
    )


def test_an_unlisted_medicare_payer_is_given_a_calendar_year_everywhere() -> None:
    """The defect this keeps fixed: the scrubber let a claim of 2026-01-15 be filed until 2027-01-15 while denial
    management gave its corrected claim until 2026-04-15, and prior authorization asked an unlisted commercial
    payer for the `default` codes the scrubber does not hold a claim for."""
    served = date(2026, 1, 15)
    assert rules_for("ANYMCR", "medicare", served).timely_filing_months == 12
    assert corrected_claim_deadline("ANYMCR", served, kind="medicare") == date(2027, 1, 15)
    assert rules_for("ANYCOM", "commercial", served).prior_auth_codes == frozenset()
    assert rules.practice_rule("ANYCOM", served, kind="commercial").always == frozenset()


@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_our_facts_file_when_the_payer_does(payer: PayerProfile) -> None:
    """The payer's rule decides: SIMBCX files within 120 days (denial management once said 180, two months past
    the day the payer refuses the claim as late)."""
    facts = payer_facts(payer.payer_id, on=TODAY)
    assert facts.kind == payer.kind
    assert facts.timely_filing == Window(payer.timely_filing_days, payer.timely_filing_months)


@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_the_simulated_payers_deny_what_the_facts_of_today_say(payer: PayerProfile) -> None:
    facts = payer_facts(payer.payer_id, on=TODAY)
    assert payer.prior_auth_codes == facts.authorization.always
    assert (payer.visit_limit_per_year or None) == facts.visit_limit
    # a limit an authorization extends is the facts' visit count; a hard cap is not (no authorization pays past it)
    authorized_after = payer.visit_limit_per_year if payer.limit_extends_with_authorization else None
    assert authorized_after == facts.authorization.after_visits


@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_our_telehealth_fix_is_what_the_payer_accepts(payer: PayerProfile) -> None:
    facts = payer_facts(payer.payer_id, on=TODAY)
    assert facts.telehealth_modifier in payer.telehealth_modifiers
    assert facts.telehealth_place in payer.telehealth_places
    assert facts.new_original_after_denial == payer.new_original_after_denial


@pytest.mark.parametrize("payer", [p for p in PAYERS if p.mental_health_administrator], ids=lambda p: p.payer_id)
def test_a_carve_out_the_payer_names_is_billed_to_its_administrator(payer: PayerProfile) -> None:
    assert payer.mental_health_administrator is not None
    billed_as, name, _ = payer.mental_health_administrator
    known = [a for a in administrators() if a.payer_id == billed_as]
    assert any(name.upper() in a.names for a in known)
    assert any(("FI", simulated().payers[billed_as].tin) in a.ids for a in known)  # its 271 may give the tax id
