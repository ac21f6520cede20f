"""Three parts keep the payers' authorization rules, each in its own data (a service owns what it knows): claim
submission's scrubber holds a claim before it leaves, prior authorization burns down and asks, and the simulated
payers deny. Where they disagree, a claim that needs an authorization leaves without one (the scrubber knows less
than the payer), or waits for one nobody asks for. So for every simulated payer, on a date each side of a rule's
change, they must say the same. No stack: the packages' own data."""

from datetime import date

import pytest
from claim_submission.scrubbing.payer_rules import rules_for
from clearinghouse_simulator.payers import PayerProfile
from clearinghouse_simulator.payers import shipped as simulated
from prior_authorization import rules

PAYERS = sorted(simulated().payers.values(), key=lambda p: p.payer_id)
TODAY, BEFORE = date(2026, 6, 1), date(2025, 6, 1)  # SIMAHP began to want one for 90837 on 2026-01-01


@pytest.mark.parametrize("day", [BEFORE, TODAY])
@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_claim_submission_and_prior_authorization_want_the_same_authorizations(payer: PayerProfile, day: date) -> None:
    scrubber = rules_for(payer.payer_id, payer.kind, day)
    authorizing = rules.rule_for(rules.shipped(), payer.payer_id, day)
    assert scrubber.prior_auth_codes == authorizing.always
    assert scrubber.prior_auth_after_visits == authorizing.after_visits
    assert scrubber.prior_auth_visit_codes == authorizing.visit_codes


@pytest.mark.parametrize("payer", PAYERS, ids=lambda p: p.payer_id)
def test_the_simulated_payers_deny_what_the_rules_of_today_say(payer: PayerProfile) -> None:
    scrubber = rules_for(payer.payer_id, payer.kind, TODAY)
    assert payer.prior_auth_codes == scrubber.prior_auth_codes
    extended = payer.limit_extends_with_authorization
    # a limit an authorization extends is the rules' visit count; a hard cap is not (no authorization pays past it)
    authorized_after = payer.visit_limit_per_year if extended else None
    assert authorized_after == scrubber.prior_auth_after_visits
