"""Deductibles (EB C) and out-of-pocket maximums (EB G) of a 271, per coverage level: the individual's (IND) and
the family's (FAM). Each EB06 period is read for what it says: 29 what is left, 24 what was used this year, 32 the
lifetime amount, 33 what is left of it; any other period is the amount the plan sets for it. Pure."""

from dataclasses import dataclass
from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit

from eligibility.mental_health import ranked
from eligibility.periods import LIFETIME, LIFETIME_REMAINING, NOT_ALLOWED, NOT_AN_AMOUNT, REMAINING, USED, YEARLY

FAMILY_LEVELS = frozenset({"FAM", "ECH", "ESP", "SPC", "DEP", "CHD"})  # EB02 levels that pool several people


@dataclass(frozen=True)
class Accumulator:
    """One deductible or out-of-pocket maximum at one coverage level, as the 271 states it (None: not stated)."""

    amount: Decimal | None = None  # for its period
    period: str = ""  # EB06 of the amount: 22 service year, 23 calendar year...
    used: Decimal | None = None  # year to date
    remaining: Decimal | None = None  # stated, or the amount less what was used
    lifetime: Decimal | None = None
    lifetime_remaining: Decimal | None = None

    @property
    def left(self) -> Decimal | None:
        """What is left to meet: the smaller of this period's and the lifetime's remainder."""
        known = [v for v in (self.remaining, self.lifetime_remaining) if v is not None]
        return min(known) if known else None


def accumulators(benefits: tuple[Benefit, ...], information: str) -> tuple[Accumulator | None, Accumulator | None]:
    """The individual's and the family's accumulator of one kind (C deductible, G out of pocket)."""
    found = ranked(benefits, information)
    individual = [b for b in found if b.coverage_level not in FAMILY_LEVELS]
    family = [b for b in found if b.coverage_level in FAMILY_LEVELS]
    return _read(individual), _read(family)


def _read(benefits: list[Benefit]) -> Accumulator | None:
    by_period: dict[str, Decimal] = {}
    for b in benefits:  # the most specific service type first: its amount for a period stands
        if b.amount is not None and b.period not in NOT_AN_AMOUNT:
            by_period.setdefault(b.period, b.amount)
    if not by_period:
        return None
    period, amount = next(((p, a) for p, a in by_period.items() if p not in NOT_ALLOWED), ("", None))
    remaining, used = by_period.get(REMAINING), by_period.get(USED)
    if remaining is None and amount is not None and used is not None and period in YEARLY:
        remaining = max(amount - used, Decimal(0))  # not stated: what the year allows less what it used
    return Accumulator(
        amount=amount,
        period=period,
        used=used,
        remaining=remaining,
        lifetime=by_period.get(LIFETIME),
        lifetime_remaining=by_period.get(LIFETIME_REMAINING),
    )


def smaller_left(individual: Accumulator | None, family: Accumulator | None) -> tuple[Decimal | None, str]:
    """What is left, the smaller of the individual's and the family's, and whose it is ("individual" or
    "family"; "" when neither is stated)."""
    levels = ((individual, "individual"), (family, "family"))
    left = [(amount, level) for a, level in levels if a is not None and (amount := a.left) is not None]
    return min(left, key=lambda pair: pair[0]) if left else (None, "")
