"""Calendar arithmetic the billing rules use, in one place (payers count some windows in months, not days)."""

import calendar
from datetime import UTC, date, datetime, time, timedelta
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
