"""Banking days as ACH money counts them: weekends and the Federal Reserve's holidays (a Sunday's observed the
Monday after, a Saturday's not moved) do not count."""

from datetime import date

from claimstream_platform.dates import bank_holidays, banking_days_between


def test_the_federal_reserve_holidays_of_a_year() -> None:
    assert bank_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 4),  # a Saturday: not moved
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    }
    assert date(2022, 12, 26) in bank_holidays(2022)  # Christmas on a Sunday: observed Monday


def test_banking_days_skip_weekends_and_holidays() -> None:
    assert banking_days_between(date(2026, 11, 25), date(2026, 11, 30)) == 2  # Thanksgiving, a weekend
    assert banking_days_between(date(2026, 12, 4), date(2026, 12, 4)) == 0
    assert banking_days_between(date(2026, 12, 4), date(2026, 12, 10)) == 4
