"""Calendar arithmetic the billing rules use, in one place (payers count some windows in months, not days)."""

import calendar
from datetime import date, timedelta


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
