"""The PayerFactsOverride aggregate records PayerFactsOverridden when a practice's own payer facts are set,
replaced or withdrawn, and refuses bad ones naming the field (handlers only take and publish its events)."""

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from charge_capture.domain import PayerFactsOverride
from claimstream_platform.contracts import charge_capture as contract
from claimstream_platform.errors import RuleViolation

START = date(2026, 1, 1)


def _override() -> PayerFactsOverride:
    return PayerFactsOverride(uuid4(), uuid4(), "COM01", START)


def test_setting_facts_records_the_event_with_the_practice_payer_and_window() -> None:
    found = _override()
    found.set(date(2027, 1, 1), {"timely_filing": "180 days", "telehealth_modifier": "GT"})
    (event,) = found.take_events()
    assert isinstance(event, contract.PayerFactsOverridden)
    assert (event.tenant_id, event.practice_id, event.payer_id) == (found.tenant_id, found.practice_id, "COM01")
    assert (event.effective_from, event.effective_to) == (START, date(2027, 1, 1))
    assert event.facts == {"timely_filing": "180 days", "telehealth_modifier": "GT"}
    assert found.take_events() == []


def test_the_same_facts_again_record_nothing_and_other_facts_replace_them() -> None:
    found = _override()
    found.set(None, {"timely_filing": "180 days"})
    found.take_events()
    found.set(None, {"timely_filing": "180 days"})
    assert found.take_events() == []
    found.set(None, {"visit_limit": 20})
    (event,) = found.take_events()
    assert isinstance(event, contract.PayerFactsOverridden) and event.facts == {"visit_limit": 20}


def test_withdrawing_records_empty_facts_and_withdrawing_nothing_records_nothing() -> None:
    found = _override()
    found.withdraw()
    assert found.take_events() == []
    found.set(date(2027, 1, 1), {"appeal": "90 days"})
    found.take_events()
    found.withdraw()
    (event,) = found.take_events()
    assert isinstance(event, contract.PayerFactsOverridden)
    assert (event.effective_from, event.effective_to, event.facts) == (START, None, {})
    assert found.facts == {}


@pytest.mark.parametrize(
    ("end", "facts", "field"),
    [
        (date(2026, 1, 1), {"timely_filing": "180 days"}, "effective_to"),
        (date(2025, 6, 1), {"timely_filing": "180 days"}, "effective_to"),
        (None, {"timely_filling": "180 days"}, "facts.timely_filling"),
        (None, {"timely_filing": "180 weeks"}, "facts.timely_filing"),
        (None, {"timely_filing": 180}, "facts.timely_filing"),
        (None, {"visit_limit": "many"}, "facts.visit_limit"),
        (None, {"visit_limit": 2.5}, "facts.visit_limit"),
        (None, {"telehealth_modifier": "GT", "authorization_review_at": ["eight"]}, "facts.authorization_review_at"),
        (None, {}, "facts"),
    ],
)
def test_a_bad_window_or_fact_is_refused_naming_the_field_and_records_nothing(
    end: date | None, facts: dict[str, Any], field: str
) -> None:
    found = _override()
    with pytest.raises(RuleViolation) as refused:
        found.set(end, facts)
    assert refused.value.field == field
    assert (found.facts, found.take_events()) == ({}, [])
