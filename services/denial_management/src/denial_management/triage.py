"""Triage: a denial's codes to its root cause, the recommended action and the fix a machine may take. Pure.

The table is data (`data/triage.toml`, our own wording). Only denial-class adjustments are denials (the platform's
adjustment classes, docs/money.md): a patient's share, a contractual or payment adjustment and a prior payer's
part never open a case. A denial with several adjustments is triaged by its largest denial-class amount. Rejections
(999, 277CA) are kept apart from denials: the payer never adjudicated them.
"""

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Triage:
    category: str
    action: str
    fix: str | None  # the mechanical action (see the table), None when a person decides
    appeal: bool  # the remedy is an appeal, whose deadline counts
    codes: tuple[str, ...]  # what it was triaged by: GROUP-CARC, then the RARCs (or the rejection rules)


@dataclass(frozen=True)
class Adjusted:
    group: str
    reason: str  # CARC
    amount: Decimal
    adjustment_class: str = "denial"  # what it means (claimstream_platform.adjustments)

    @property
    def denied(self) -> bool:
        return self.adjustment_class == "denial"


UNKNOWN = ("unclassified", "Read the payer's remark and decide: no rule covers this code yet")


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return tomllib.loads((resources.files("denial_management") / "data" / "triage.toml").read_text())


def _denial_entry(group: str, carc: str, remarks: tuple[str, ...]) -> dict[str, Any] | None:
    entries: list[dict[str, Any]] = [
        e for e in _table()["denial"] if e["carc"] == carc and e.get("group", group) == group
    ]
    for entry in entries:
        if "rarc" in entry and entry["rarc"] in remarks:
            return entry
    return next((e for e in entries if "rarc" not in e and "group" in e), None) or next(
        (e for e in entries if "rarc" not in e), None
    )


def denied_amount(adjustments: list[Adjusted]) -> Decimal:
    return sum((a.amount for a in adjustments if a.denied), Decimal(0))


def triage_denial(adjustments: list[Adjusted], remarks: list[str]) -> Triage:
    denials = [a for a in adjustments if a.denied]
    if not denials:
        return Triage(*UNKNOWN, None, False, tuple(remarks))
    adjustment = max(denials, key=lambda a: a.amount)
    entry = _denial_entry(adjustment.group, adjustment.reason, tuple(remarks))
    codes = (f"{adjustment.group}-{adjustment.reason}", *remarks)
    if entry is None:
        return Triage(*UNKNOWN, None, False, codes)
    return Triage(
        str(entry["category"]), str(entry["action"]), _text(entry.get("fix")), bool(entry.get("appeal")), codes
    )


def triage_rejection(rules: list[str]) -> Triage:
    """By the first rule (`277CA.A3.33`, `999.IK3.8`) the table knows, most specific prefix first."""
    by_code = {str(e["code"]): e for e in _table()["rejection"]}
    for rule in rules:
        parts = rule.split(".")
        for size in range(len(parts), 0, -1):
            entry = by_code.get(".".join(parts[:size]))
            if entry is not None:
                return Triage(str(entry["category"]), str(entry["action"]), None, False, tuple(rules))
    return Triage(*UNKNOWN, None, False, tuple(rules))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


STATUS_DENIAL = "denied_per_claim_status"  # a 277 said it, the remittance has not come: settled when it does


def triage_status(category: str, code: str) -> Triage:
    """A denial the payer told of in a claim status answer (277 F2 or F4) before its remittance reached us: nothing
    says why yet, so the remittance is what to get; the appeal window runs from the payer's date."""
    action = "get the remittance (the payer's ERA or paper EOB) to learn why, then correct or appeal"
    return Triage(STATUS_DENIAL, action, None, True, (f"277.{category}.{code}",))
