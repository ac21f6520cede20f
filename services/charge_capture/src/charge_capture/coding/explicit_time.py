"""Time against units for the procedures an EHR sends itself: the rules the `service` path applies by
construction must hold for explicit codes too. Pure.

- A timed code needs its documented minutes (90832 with no minutes is not billable as sent).
- Crisis: +90840 needs 75 minutes for its first unit and 30 more for each further one (90839 covers 30-74).
- Testing: a first-hour code covers 31-90 minutes; each add-on unit needs 60 more (the midpoint rule).
- Per-15-minute HCPCS codes: the units may not exceed what the minutes support, and minutes under one unit
  bill nothing (H0004 at 7 minutes).
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

Problem = tuple[str, str, str]  # rule, field, message
TIMED = frozenset(
    {"psychotherapy", "psychotherapy_addon", "crisis", "family", "hcpcs_timed", "health_behavior", "neurobehavioral"}
)
TESTING_FIRST = frozenset({"testing_evaluation", "testing_administration", "testing_technician"})


class ExplicitLine(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def units(self) -> int: ...
    @property
    def minutes(self) -> int | None: ...
    @property
    def source(self) -> str: ...


def check(
    lines: Iterable[ExplicitLine],
    *,
    category: Callable[[str], str],
    unit_minutes: Callable[[str], int | None],
    crisis: Mapping[str, Any],
    testing: Mapping[str, Mapping[str, str]],
    units_for: Callable[[int, int], int],
) -> list[Problem]:
    sent = [line for line in lines if line.source.startswith("procedures")]
    by_code = {line.code: line for line in sent}
    problems: list[Problem] = []
    for line in sent:
        kind = category(line.code)
        if line.minutes is None and (kind in TIMED or kind in TESTING_FIRST):
            problems.append(("time.missing", f"{line.source}.minutes", f"{line.code} is timed: its minutes are needed"))
        elif kind == "hcpcs_timed" and line.minutes is not None:
            problems += _per_increment(line, unit_minutes(line.code) or 15, units_for)
    problems += _crisis_addon(by_code, crisis)
    for pair in testing.values():
        if isinstance(pair, Mapping):  # the section's activities (beside its effective dates)
            problems += _testing_addon(by_code, pair["first"], pair["addon"], unit_minutes(pair["first"]) or 60)
    return problems


def _per_increment(line: ExplicitLine, increment: int, units_for: Callable[[int, int], int]) -> list[Problem]:
    supported = units_for(line.minutes or 0, increment)
    if supported == 0:
        return [
            (
                "units.under-one-unit",
                f"{line.source}.minutes",
                f"{line.minutes} minutes is less than one billable unit of {line.code}",
            )
        ]
    if line.units > supported:
        return [
            (
                "units.exceed-time",
                f"{line.source}.units",
                f"{line.minutes} minutes supports {supported} unit(s) of {line.code}, not {line.units}",
            )
        ]
    return []


def _crisis_addon(by_code: Mapping[str, ExplicitLine], crisis: Mapping[str, Any]) -> list[Problem]:
    first, addon = by_code.get(crisis["first_code"]), by_code.get(crisis["addon_code"])
    if addon is None or first is None or first.minutes is None:
        return []
    past = first.minutes - crisis["first_to"]
    supported = 0 if past <= 0 else (past - 1) // crisis["addon_minutes"] + 1
    if addon.units <= supported:
        return []
    needed = crisis["first_to"] + 1 + crisis["addon_minutes"] * (addon.units - 1)
    message = f"{addon.code} x{addon.units} needs {needed} minutes of crisis care; {first.minutes} were documented"
    return [("crisis.addon-time", f"{addon.source}.units", message)]


def _testing_addon(
    by_code: Mapping[str, ExplicitLine], first_code: str, addon_code: str, increment: int
) -> list[Problem]:
    first, addon = by_code.get(first_code), by_code.get(addon_code)
    if first is None or first.minutes is None:
        return []
    half = increment // 2 + 1
    if first.minutes < half:
        message = f"{first_code} needs more than {increment // 2} minutes; {first.minutes} were documented"
        return [("testing.minimum-time", f"{first.source}.minutes", message)]
    supported = (first.minutes - half) // increment
    if addon is not None and addon.units > supported:
        message = f"{first.minutes} minutes supports {supported} unit(s) of {addon_code}, not {addon.units}"
        return [("testing.addon-time", f"{addon.source}.units", message)]
    return []
