"""A suggested scrub rule records ScrubRuleAccepted when staff accept it, nothing when they reject it, and refuses
a second decision."""

from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.errors import Conflict
from denial_management.prevention import RuleSuggestion


def suggested() -> RuleSuggestion:
    evidence = (4, Decimal("600.00"))
    return RuleSuggestion(
        uuid4(),
        uuid4(),
        "SIMAHP",
        "90837",
        "missing_authorization",
        "authorization",
        "ask first",
        *evidence,
        "suggested",
    )


def test_accepted_it_records_the_rule_for_the_scrubber_once() -> None:
    suggestion = suggested()
    suggestion.decide("accepted")
    (accepted,) = suggestion.take_events()
    assert (accepted.rule_id, accepted.payer_id, accepted.code) == (suggestion.id, "SIMAHP", "90837")
    assert (accepted.condition, accepted.evidence_claims, accepted.evidence_amount) == (
        "missing_authorization",
        4,
        Decimal("600.00"),
    )
    assert suggestion.take_events() == []
    with pytest.raises(Conflict):
        suggestion.decide("rejected")


def test_rejected_it_records_nothing() -> None:
    suggestion = suggested()
    suggestion.decide("rejected")
    assert suggestion.status == "rejected" and suggestion.take_events() == []
