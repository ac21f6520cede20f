"""The time periods of a 271 (EB06, and HSD05 which uses the same codes) and the units of an HSD (HSD03): which
period says what is left, what was used, or how much the plan allows, and their words. Pure."""

REMAINING = "29"
USED = "24"  # year to date
LIFETIME = "32"
LIFETIME_REMAINING = "33"
NOT_AN_AMOUNT = frozenset({"30", "31"})  # exceeded, not exceeded: whether a limit was passed, not how much
YEARLY = frozenset({"21", "22", "23", "25"})  # a year, service year, calendar year, contract: what "used" counts in
NOT_ALLOWED = frozenset({REMAINING, USED, LIFETIME, LIFETIME_REMAINING}) | NOT_AN_AMOUNT

PERIOD_WORDS = {
    "6": "hour", "7": "day", "13": "24 hours", "21": "year", "22": "service year", "23": "calendar year",
    "24": "year to date", "25": "contract", "26": "episode", "27": "visit", "28": "outlier", "29": "remaining",
    "32": "lifetime", "33": "lifetime remaining", "34": "month", "35": "week", "36": "admission",
}  # fmt: skip
UNIT_WORDS = {"DA": "day", "MO": "month", "VS": "visit", "WK": "week", "YR": "year"}


def period_words(code: str) -> str:
    return PERIOD_WORDS.get(code, f"period {code}")
