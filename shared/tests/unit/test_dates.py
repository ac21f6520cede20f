from datetime import UTC, date, datetime

import pytest
from claimstream_platform.dates import add_months, business_date, filing_deadline


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2023, 3, 1), 12, date(2024, 3, 1)),
    ],
)
def test_add_months(day: date, months: int, result: date) -> None:
    assert add_months(day, months) == result


def test_a_window_in_days_is_counted_in_days() -> None:
    assert filing_deadline(date(2026, 1, 1), days=90) == date(2026, 4, 1)
    assert filing_deadline(date(2026, 1, 1), months=12) == date(2027, 1, 1)


def test_the_business_date_is_the_practices_day_not_utcs() -> None:
    evening_in_los_angeles = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)  # 8:30 pm on March 1st there
    assert business_date("America/Los_Angeles", at=evening_in_los_angeles) == date(2026, 3, 1)
    assert business_date("Europe/Berlin", at=evening_in_los_angeles) == date(2026, 3, 2)
    assert business_date(at=evening_in_los_angeles) == date(2026, 3, 1)  # US Eastern unless the practice says
