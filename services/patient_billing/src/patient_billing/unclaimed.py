"""When a patient's unclaimed credit is presumed abandoned and reported to her state (data/unclaimed_property.toml:
the states' dormancy periods as data), pure. A state the data does not have gets no date, never a guess."""

import tomllib
from datetime import date
from functools import cache
from pathlib import Path

from claimstream_platform.dates import add_months

_DATA = Path(__file__).parent / "data" / "unclaimed_property.toml"


@cache
def _periods() -> dict[str, int]:
    return {state: int(years) for state, years in tomllib.loads(_DATA.read_text())["states"].items()}


def dormancy_years(state: str | None) -> int | None:
    return _periods().get((state or "").upper())


def reportable_on(credit_since: date, state: str | None) -> date | None:
    """The day a credit held since `credit_since`, never refunded or applied, becomes her state's to claim; None
    when her state's period is not in the data (or her address is not known)."""
    years = dormancy_years(state)
    return None if years is None else add_months(credit_since, 12 * years)
