"""A patient's credit and her state's unclaimed-property law, pure: the dormancy periods are data."""

from datetime import date

from patient_billing.unclaimed import reportable_on


def test_a_credit_becomes_the_states_after_its_dormancy_period() -> None:
    """Florida's five years, California's three; no date for a state not in the data or an address not known."""
    since = date(2024, 2, 29)
    assert reportable_on(since, "FL") == date(2029, 2, 28)
    assert reportable_on(since, "ca") == date(2027, 2, 28)
    assert reportable_on(since, None) is None and reportable_on(since, "ZZ") is None
