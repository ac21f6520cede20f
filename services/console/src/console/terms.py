"""One amount set in what a practice bills a payer (a fee schedule) or is paid by it (contract rates), pure: the
services take a version whole, so the console sends the latest version with the one amount changed."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Entry = dict[str, Any]  # {"code", "modifiers", "amount"}: the amount as the service wrote it (a decimal string)


def with_amount(entries: Iterable[Mapping[str, Any]], code: str, modifiers: Sequence[str], amount: str) -> list[Entry]:
    """The entries with `code` (and its modifiers, in any order) at `amount`: changed if there, else added; by code
    then modifiers, as the services list them."""
    wanted = _key(code, modifiers)
    kept = [_entry(entry) for entry in entries if _key(entry["code"], entry.get("modifiers") or []) != wanted]
    kept.append({"code": code, "modifiers": list(modifiers), "amount": amount})
    return sorted(kept, key=lambda entry: _key(entry["code"], entry["modifiers"]))


def latest(rates: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The contract rates of the latest version (every version is listed, each rate with its `effective_from`)."""
    rows = list(rates)
    newest = max((str(row["effective_from"]) for row in rows), default=None)
    return [_entry(row) for row in rows if str(row["effective_from"]) == newest]


def modifiers_typed(text: str) -> list[str]:
    """Modifiers as a person types them: separated by spaces or commas, upper case."""
    return [part.upper() for part in text.replace(",", " ").split()]


def _entry(row: Mapping[str, Any]) -> Entry:
    return {"code": row["code"], "modifiers": list(row.get("modifiers") or []), "amount": row["amount"]}


def _key(code: str, modifiers: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    return code, tuple(sorted(modifiers))
