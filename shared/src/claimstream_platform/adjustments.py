"""What an 835 adjustment means for the money: its class, from its group and CARC, by the rules in force on a day.

The rules are dated data (`data/adjustment_classes.toml`) and this is their one reader: remittance posting,
denial management and the projection classify with it, so they cannot disagree about whether an amount is the
patient's, written off under the contract, or a denial (docs/money.md). Pure.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any


class AdjustmentClass(StrEnum):
    PATIENT_COST_SHARE = "patient_cost_share"
    PATIENT_NONCOVERED = "patient_noncovered"
    CONTRACTUAL = "contractual"
    PAYMENT_ADJUSTMENT = "payment_adjustment"
    PRIOR_PAYER = "prior_payer"
    DENIAL = "denial"


C = AdjustmentClass
PATIENT = frozenset({C.PATIENT_COST_SHARE, C.PATIENT_NONCOVERED})  # booked to the patient
SETTLED = frozenset({C.CONTRACTUAL, C.PAYMENT_ADJUSTMENT})  # written off (or added) for good: nobody owes it
ANY = "*"


@dataclass(frozen=True)
class Rule:
    groups: frozenset[str]
    carcs: frozenset[str]
    adjustment_class: AdjustmentClass
    start: date
    end: date | None  # the first day it no longer holds

    def holds(self, group: str, carc: str, day: date) -> bool:
        in_force = self.start <= day and (self.end is None or day < self.end)
        return in_force and group in self.groups and (carc in self.carcs or ANY in self.carcs)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads((resources.files("claimstream_platform") / "data" / "adjustment_classes.toml").read_text())


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    return tuple(_rule(entry) for entry in _data()["rule"])


def _rule(entry: dict[str, Any]) -> Rule:
    end = entry.get("to")
    return Rule(
        groups=frozenset(str(g) for g in entry["groups"]),
        carcs=frozenset(str(c) for c in entry["carcs"]),
        adjustment_class=AdjustmentClass(str(entry["class"])),
        start=date.fromisoformat(str(entry["from"])),
        end=date.fromisoformat(str(end)) if end else None,
    )


@lru_cache(maxsize=4096)
def classify(group: str, carc: str, on: date) -> AdjustmentClass:
    """The class of a group-CARC pair on `on` (the day the payer adjudicated): the most specific rule in force,
    else a denial (left open for a person, never written off by a guess)."""
    found = [rule for rule in rules() if rule.holds(group, carc, on)]
    specific = [rule for rule in found if carc in rule.carcs]
    chosen = specific or found
    return chosen[0].adjustment_class if chosen else C.DENIAL


def provider_adjustment_kind(reason: str) -> str:
    """A PLB reason's kind: recoupment (a claim's payment taken back), interest (income), else provider."""
    for kind, reasons in _data()["provider_adjustments"].items():
        if reason in reasons:
            return str(kind)
    return "provider"
