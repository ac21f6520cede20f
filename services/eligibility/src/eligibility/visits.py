"""Visit limits of a 271 for mental health: coded as EB F (or EB 1) with EB09 VS and the count in EB10, or as the
EB's HSD segments (`HSD*VS*30***22`: 30 visits a service year); else read from MSG free text, and flagged so.
Each period is read for what it says: 29 visits left, 24 used this year, 32 the lifetime's, 33 left of it; any
other period (or an HSD unit: one a week) is what the plan allows. Pure."""

import re
from dataclasses import dataclass
from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit

from eligibility.mental_health import PREFERENCE, concerns, ranked
from eligibility.periods import (
    LIFETIME,
    LIFETIME_REMAINING,
    NOT_ALLOWED,
    NOT_AN_AMOUNT,
    PERIOD_WORDS,
    REMAINING,
    UNIT_WORDS,
    USED,
    YEARLY,
    period_words,
)

VISITS_IN_TEXT = re.compile(r"(\d{1,3})\s+(?:OUTPATIENT\s+)?(?:VISITS?|SESSIONS?)\b")
REMAINING_IN_TEXT = re.compile(r"(\d{1,3})\s+(?:VISITS?|SESSIONS?)\s+REMAIN")
LIMITING = ("F", "1")  # limitations, and active coverage stated with its limit


@dataclass(frozen=True)
class Visits:
    allowed: int | None = None
    period: str | None = None  # the allowed count's period in words: "calendar year", "per week", "lifetime"
    used: int | None = None
    remaining: int | None = None
    from_text: bool = False


@dataclass(frozen=True)
class _Count:
    number: int
    period: str  # the EB06 / HSD05 code
    words: str | None  # the period an allowed count is for


def visits(benefits: tuple[Benefit, ...]) -> Visits:
    counts = _counts(benefits)
    if counts:
        return _coded(counts)
    return _from_text(benefits)


def _counts(benefits: tuple[Benefit, ...]) -> list[_Count]:
    """Every visit count of the mental-health limits, the most specific service type first."""
    found = []
    for b in ranked(benefits, *LIMITING):
        if b.quantity_qualifier == "VS" and b.quantity is not None and b.period not in NOT_AN_AMOUNT:
            found.append(_Count(int(b.quantity), b.period, period_words(b.period) if b.period else None))
        for d in b.deliveries:
            if d.quantity_qualifier == "VS" and d.quantity is not None and d.period not in NOT_AN_AMOUNT:
                found.append(_Count(int(d.quantity), d.period, _hsd_words(d.unit, d.period, d.periods)))
    return found


def _hsd_words(unit: str, period: str, periods: Decimal | None) -> str | None:
    """An HSD's basis in words: "per week", "service year", "per week for 2 month(s)"."""
    per = f"per {UNIT_WORDS.get(unit, unit)}" if unit else ""
    if not period:
        return per or None
    span = PERIOD_WORDS.get(period, f"period {period}")
    if periods is not None and periods != 1:
        span = f"{periods:f} {span}(s)"
    return f"{per} for {span}" if per else span


def _coded(counts: list[_Count]) -> Visits:
    def first(*periods: str) -> _Count | None:
        return next((c for c in counts if c.period in periods), None)

    allowed = next((c for c in counts if c.period not in NOT_ALLOWED), None) or first(LIFETIME)
    used = first(USED)
    left = [c.number for c in (first(REMAINING), first(LIFETIME_REMAINING)) if c is not None]
    remaining = min(left) if left else None
    if remaining is None and allowed is not None and used is not None and allowed.period in YEARLY:
        remaining = max(allowed.number - used.number, 0)  # not stated: what the year allows less what it used
    return Visits(
        allowed=allowed.number if allowed else None,
        period=allowed.words if allowed else None,
        used=used.number if used else None,
        remaining=remaining,
    )


def _from_text(benefits: tuple[Benefit, ...]) -> Visits:
    texts = [m.upper() for b in benefits if concerns(b, PREFERENCE) for m in b.messages]
    stated = [int(m.group(1)) for t in texts if (m := VISITS_IN_TEXT.search(t)) and not REMAINING_IN_TEXT.search(t)]
    left = [int(m.group(1)) for t in texts if (m := REMAINING_IN_TEXT.search(t))]
    if not stated and not left:
        return Visits()
    return Visits(allowed=stated[0] if stated else None, remaining=left[0] if left else None, from_text=True)
