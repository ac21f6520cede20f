"""The coding rules as data: loaded once from `data/`, then asked for the rules in force on a date.

Nothing here decides anything; `engine.py` does. Each rule file keeps every version of a rule with its
effective dates, so that `RuleBook.on(date)` answers what applied on a date of service, past or future.
"""

import csv
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA = resources.files("charge_capture.coding") / "data"
OPEN_END = date.max


@dataclass(frozen=True)
class Code:
    code: str
    category: str
    label: str
    unit_minutes: int | None = None  # codes billed in units of this many minutes
    effective_from: date | None = None  # a code created later than the code set's start (G2211 in 2024)

    @property
    def is_add_on(self) -> bool:
        return self.category.endswith("_addon") or self.category == "interactive_complexity"


@dataclass(frozen=True)
class Band:
    code: str
    from_minutes: int
    to_minutes: int | None


@dataclass(frozen=True)
class PairEdit:
    """An NCCI procedure-to-procedure edit: column 2 is not paid with column 1 on the same day."""

    column1: str
    column2: str
    modifier_indicator: int  # 0: never bypassed, 1: bypassed by 59/X{EPSU}/25, 9: not applicable
    effective_from: date
    effective_to: date = OPEN_END


@dataclass(frozen=True)
class UnitLimit:
    """An NCCI medically unlikely edit: at most `max_units` per day (or per line when MAI is 1)."""

    code: str
    max_units: int
    adjudication_indicator: int
    effective_from: date
    effective_to: date = OPEN_END


@dataclass(frozen=True)
class Rules:
    """The rules in force on one date: what the engine reads."""

    on: date
    codes: Mapping[str, Code]
    em_codes: frozenset[str]
    bands: Mapping[str, tuple[Band, ...]]  # service -> bands
    crisis: Mapping[str, Any]
    family: Mapping[str, Any]
    testing: Mapping[str, Mapping[str, str]]
    addon_primaries: Mapping[str, frozenset[str]]
    may_not_bill: Mapping[str, frozenset[str]]  # credential -> categories
    pre_licensed: frozenset[str]  # credentials that bill only under a licensed supervisor
    ptp_bypass_modifiers: frozenset[str]
    pair_edits: Mapping[tuple[str, str], PairEdit]
    unit_limits: Mapping[str, UnitLimit]

    def code(self, code: str) -> Code | None:
        if code in self.em_codes:
            return Code(code, "em", "Evaluation and management visit")
        found = self.codes.get(code)
        return None if found is None or (found.effective_from and found.effective_from > self.on) else found


@dataclass(frozen=True)
class RuleBook:
    codes: Mapping[str, Code]
    entries: Mapping[str, tuple[Mapping[str, Any], ...]]  # rules.toml sections, each entry dated
    pair_edits: tuple[PairEdit, ...]
    unit_limits: tuple[UnitLimit, ...]
    _cache: dict[date, Rules] = field(default_factory=dict, compare=False, repr=False)

    def on(self, day: date) -> Rules:
        """The rules in force on `day`; built once per date and kept (a few hundred dates in practice)."""
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._build(day)
        return cached

    def _build(self, day: date) -> Rules:
        def latest(section: str) -> Mapping[str, Any]:
            in_force = [e for e in self.entries.get(section, ()) if _in_force(e, day)]
            return max(in_force, key=lambda e: e["effective_from"]) if in_force else {}

        def all_in_force(section: str) -> list[Mapping[str, Any]]:
            return [e for e in self.entries.get(section, ()) if _in_force(e, day)]

        bands = {
            entry["service"]: tuple(Band(b["code"], b["from"], b.get("to")) for b in entry["bands"])
            for entry in sorted(all_in_force("time_band"), key=lambda e: e["effective_from"])
        }
        may_not_bill: dict[str, frozenset[str]] = {}
        for entry in all_in_force("scope"):
            for credential in entry["credentials"]:
                may_not_bill[credential] = may_not_bill.get(credential, frozenset()) | frozenset(entry["may_not_bill"])
        primaries: dict[str, Any] = {}  # every entry in force, later ones winning code by code
        for entry in sorted(all_in_force("addons"), key=lambda e: e["effective_from"]):
            primaries.update(entry.get("primaries", {}))
        return Rules(
            on=day,
            codes=self.codes,
            em_codes=frozenset(code for entry in all_in_force("em_codes") for code in _expand(entry["ranges"])),
            bands=bands,
            crisis=latest("crisis"),
            family=latest("family"),
            testing=latest("testing"),
            addon_primaries={code: frozenset(allowed) for code, allowed in primaries.items()},
            may_not_bill=may_not_bill,
            pre_licensed=frozenset(latest("supervision").get("pre_licensed", ())),
            ptp_bypass_modifiers=frozenset(latest("ptp_bypass_modifiers").get("modifiers", ())),
            pair_edits={
                (e.column1, e.column2): e for e in self.pair_edits if e.effective_from <= day <= e.effective_to
            },
            unit_limits={u.code: u for u in self.unit_limits if u.effective_from <= day <= u.effective_to},
        )


def _in_force(entry: Mapping[str, Any], day: date) -> bool:
    return bool(entry["effective_from"] <= day <= entry.get("effective_to", OPEN_END))


def _expand(ranges: Iterable[str]) -> Iterable[str]:
    for item in ranges:
        low, _, high = item.partition("-")
        yield from (str(n) for n in range(int(low), int(high or low) + 1))


def read_codes(text: str) -> dict[str, Code]:
    reader = csv.DictReader(text.splitlines())
    return {
        row["code"]: Code(
            row["code"],
            row["category"],
            row["label"],
            int(row["unit_minutes"]) if row["unit_minutes"] else None,
            date.fromisoformat(row["effective_from"]) if row.get("effective_from") else None,
        )
        for row in reader
    }


def _cms_date(value: str) -> date | None:
    value = value.strip()
    if not value or value == "*":
        return None
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def _data_rows(text: str) -> Iterable[list[str]]:
    """Tab-separated rows whose first column is a code; headers, notes and blank lines are skipped."""
    for line in text.splitlines():
        columns = line.split("\t")
        code = columns[0].strip()
        if len(code) == 5 and code.isalnum() and not line.startswith("#"):
            yield [column.strip() for column in columns]


def read_ptp(text: str) -> list[PairEdit]:
    """The CMS practitioner PTP layout: column 1, column 2, prior-1996 flag, effective, deletion, modifier, ..."""
    edits = []
    for columns in _data_rows(text):
        effective = _cms_date(columns[3])
        if effective is None:
            raise ValueError(f"PTP edit {columns[0]}/{columns[1]} has no effective date")
        deleted = _cms_date(columns[4])
        edits.append(
            PairEdit(
                column1=columns[0],
                column2=columns[1],
                modifier_indicator=int(columns[5]),
                effective_from=effective,
                # A deletion date is the first day the edit no longer applies.
                effective_to=date.fromordinal(deleted.toordinal() - 1) if deleted else OPEN_END,
            )
        )
    return edits


def read_mue(text: str, *, effective_from: date = date(2013, 1, 1)) -> list[UnitLimit]:
    """The CMS practitioner MUE layout: code, MUE value, "<MAI> <text>", rationale[, effective date].

    The quarterly CMS file has no date column (the quarter is its effective date): pass `effective_from`.
    """
    limits = []
    for columns in _data_rows(text):
        dated = _cms_date(columns[4]) if len(columns) > 4 else None
        limits.append(
            UnitLimit(
                code=columns[0],
                max_units=int(columns[1]),
                adjudication_indicator=int(columns[2][:1]),
                effective_from=dated or effective_from,
            )
        )
    return limits


def load(ptp_file: Path | None = None, mue_file: Path | None = None) -> RuleBook:
    """The shipped rules, with the NCCI fixture or the full CMS files an operator points at."""
    rules = tomllib.loads((DATA / "rules.toml").read_text())
    ptp = ptp_file.read_text() if ptp_file else (DATA / "ncci_ptp_practitioner.txt").read_text()
    mue = mue_file.read_text() if mue_file else (DATA / "ncci_mue_practitioner.txt").read_text()
    return RuleBook(
        codes=read_codes((DATA / "codes.csv").read_text()),
        entries={section: tuple(entries) for section, entries in rules.items()},
        pair_edits=tuple(read_ptp(ptp)),
        unit_limits=tuple(read_mue(mue)),
    )


_installed: RuleBook | None = None


def install(book: RuleBook) -> None:
    """Make `book` the one `current()` returns (the wiring module does this once, at start-up)."""
    global _installed
    _installed = book


def current() -> RuleBook:
    """The installed rule book, or the shipped one (rules plus the NCCI fixture)."""
    return _installed or shipped()


@lru_cache(maxsize=1)
def shipped() -> RuleBook:
    return load()
