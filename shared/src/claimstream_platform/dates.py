"""Calendar arithmetic the billing rules use, in one place (payers count some windows in months, not days)."""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has none (Feb 29 + 12 months: Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def filing_deadline(service_date: date, *, days: int | None = None, months: int | None = None) -> date:
    """The last day a claim may be filed: "one calendar year" (Medicare) is 12 months, not 365 days."""
    if months is not None:
        return add_months(service_date, months)
    return service_date + timedelta(days=days if days is not None else 90)


# A practice that has not said where it is: most of our practices bill in US Eastern time. The business date is the
# practice's calendar day, not UTC's: a session at 8 pm in Los Angeles is already tomorrow in UTC, and its filing
# window, a denial's appeal window and the day a claim is released are all counted in the practice's days.
DEFAULT_TIME_ZONE = "America/New_York"


def business_date(time_zone: str | None = None, *, at: datetime | None = None) -> date:
    """Today (or the day of `at`) on the practice's calendar: the one place every service asks the date."""
    moment = at if at is not None else datetime.now(UTC)
    return moment.astimezone(ZoneInfo(time_zone or DEFAULT_TIME_ZONE)).date()


def end_of_business_day(day: date, time_zone: str | None = None) -> datetime:
    """The first instant after `day` on the practice's calendar: what happened before it happened by `day` (a
    report as of today, in the evening in New York, counts what UTC already dates tomorrow)."""
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(time_zone or DEFAULT_TIME_ZONE))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday 0) of the month; n = -1: the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """The days the Federal Reserve's payment services are closed, which ACH money does not move on: the federal
    holidays, one on a Sunday observed the Monday after (one on a Saturday is not moved: the banks open Friday)."""
    fixed = [date(year, 1, 1), date(year, 6, 19), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    observed = [day + timedelta(days=1) if day.weekday() == 6 else day for day in fixed]
    floating = [
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
    ]
    return frozenset(observed + floating)


def is_banking_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def banking_days_between(start: date, end: date) -> int:
    """Banking days after `start` up to and including `end` (0 when `end` is not after it): how old a payment
    waiting since `start` is, counted as the three-business-day rule for an ERA and its EFT counts."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_banking_day(day)
    return days
