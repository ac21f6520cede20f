"""When a patient's unclaimed credit is presumed abandoned and reported to her state (data/unclaimed_property.toml:
the states' dormancy periods as data), pure."""

import tomllib
from datetime import date
from functools import cache
from pathlib import Path

from claimstream_platform.dates import add_months

_DATA = Path(__file__).parent / "data" / "unclaimed_property.toml"


@cache
def _periods() -> tuple[int, dict[str, int]]:
    data = tomllib.loads(_DATA.read_text())
    return int(data["default_years"]), {state: int(years) for state, years in data["states"].items()}


def dormancy_years(state: str | None) -> int:
    default, states = _periods()
    return states.get((state or "").upper(), default)


def reportable_on(credit_since: date, state: str | None) -> date:
    """The day a credit held since `credit_since`, never refunded or applied, becomes the state's to claim."""
    return add_months(credit_since, 12 * dormancy_years(state))
