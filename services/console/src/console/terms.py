"""One amount set in what a practice bills a payer (its fee schedule), pure: charge capture takes a version whole
and bills a visit from the version in force on its date of service, so the console sends the version in force on
the chosen day with the one amount changed, as a new version from that day (later versions keep their own amounts).
Contract rates need none of this: remittance posting keeps each code's rate from its own day."""

from collections.abc import Iterable, Mapping
from typing import Any

Entry = dict[str, Any]  # {"code", "modifiers", "amount"}: the amount as the service wrote it (a decimal string)


def with_amount(entries: Iterable[Mapping[str, Any]], new: Mapping[str, Any]) -> list[Entry]:
    """The entries with the new one's code (and its modifiers, in any order) at its amount: changed if there, else
    added; by code then modifiers, as the services list them."""
    wanted = _key(new["code"], new["modifiers"])
    kept = [_entry(entry) for entry in entries if _key(entry["code"], entry.get("modifiers") or []) != wanted]
    return sorted([*kept, _entry(new)], key=lambda entry: _key(entry["code"], entry["modifiers"]))


def in_force(versions: Iterable[Mapping[str, Any]], day: str) -> Mapping[str, Any] | None:
    """The version in force on `day` (an ISO date): the latest that starts on or before it; None before the first."""
    started = [version for version in versions if str(version["effective_from"]) <= day]
    return max(started, key=lambda version: str(version["effective_from"]), default=None)


def modifiers_typed(text: str) -> list[str]:
    """Modifiers as a person types them: separated by spaces or commas, upper case."""
    return [part.upper() for part in text.replace(",", " ").split()]


def _entry(row: Mapping[str, Any]) -> Entry:
    return {"code": row["code"], "modifiers": list(row.get("modifiers") or []), "amount": row["amount"]}


def _key(code: str, modifiers: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    return code, tuple(sorted(modifiers))
