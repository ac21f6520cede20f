"""What we know of a payer's rules on a day: timely filing, appeal and corrected-claim windows, visit limits,
authorizations, telehealth coding, how it wants a denied claim corrected; and the carve-out administrators a 271
may name, with the payer id we bill them under. Pure.

The facts are dated data (`data/payers.toml`), layered general to specific (any payer, the payer's kind, the payer
itself), and this is their one reader: claim submission's scrubber, prior authorization and denial management
ask it (eligibility its administrators), so they cannot disagree about a payer (docs/domain/payers.md).
"""

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from claimstream_platform.dates import filing_deadline

KINDS = ("medicare", "medicaid", "commercial")
_SCOPE_KEYS = frozenset({"applies_to", "from", "to"})
# What each fact's value is, for a practice's override (our own data is read by `_facts` the same way).
_FACT_TYPES: dict[str, str] = {
    "timely_filing": "window",
    "appeal": "window",
    "corrected_claim": "window",
    "visit_limit": "count",
    "authorization_always": "codes",
    "authorization_after_visits": "count",
    "authorization_visit_codes": "codes",
    "authorization_review_at": "counts",
    "telehealth_modifier": "text",
    "telehealth_place": "text",
    "new_original_after_denial": "yes or no",
    "eligibility_fresh_days": "count",
    "status_inquiry_after_days": "count",
}
_FACT_KEYS = frozenset(_FACT_TYPES)


@dataclass(frozen=True)
class Window:
    """A payer's window, counted in days or in calendar months ("one calendar year" is 12 months, not 365 days)."""

    days: int | None = None
    months: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Window":
        """ "120 days" or "12 months"."""
        count, _, unit = text.partition(" ")
        if unit not in ("days", "months") or not count.isdigit():
            raise ValueError(f"a window is '<n> days' or '<n> months', not {text!r}")
        return cls(days=int(count)) if unit == "days" else cls(months=int(count))

    def deadline(self, start: date) -> date:
        """The window's last day, counted from `start` (a date of service, a denial, a prior payer's payment)."""
        return filing_deadline(start, days=self.days, months=self.months)

    def __str__(self) -> str:
        return f"{self.months} months" if self.months is not None else f"{self.days} days"


@dataclass(frozen=True)
class Authorization:
    """Which services the payer wants authorized."""

    always: frozenset[str]  # codes that need an authorization from the first visit
    after_visits: int | None  # visits in the calendar year after which `visit_codes` need one too
    visit_codes: frozenset[str]
    review_at: tuple[int, ...]  # visit counts at which a concurrent review is due


@dataclass(frozen=True)
class PayerFacts:
    payer_id: str
    kind: str | None  # medicare | medicaid | commercial; None: neither the caller nor our data knows it
    timely_filing: Window  # from the date of service
    appeal: Window  # from the denial (the remittance's date)
    corrected_claim: Window  # the payer's own window for a corrected claim, else its timely filing
    visit_limit: int | None  # visits a calendar year the plan pays without an authorization; None: no limit
    authorization: Authorization
    telehealth_modifier: str
    telehealth_place: str
    new_original_after_denial: bool  # a claim it denied whole is corrected by a new original, never a replacement
    eligibility_fresh_days: int  # an eligibility answer this many days old still stands (no new 270 for a visit)
    status_inquiry_after_days: int  # an accepted claim with no remittance this old is asked about (a 276)


@dataclass(frozen=True)
class Administrator:
    """A company that runs a plan's mental-health benefits (a carve-out), as a 271 names it, and the payer id we bill
    it under, for dates of service from `since`."""

    payer_id: str
    names: tuple[str, ...]  # as the 271 spells it
    ids: frozenset[tuple[str, str]]  # (NM108 qualifier, NM109)
    since: date


@dataclass(frozen=True)
class Layer:
    scope: str  # default | kind:<kind> | payer:<payer id>
    start: date
    end: date | None  # the first day it no longer holds
    facts: dict[str, Any]

    def holds(self, scope: str, day: date) -> bool:
        return self.scope == scope and self.start <= day and (self.end is None or day < self.end)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads((resources.files("claimstream_platform") / "data" / "payers.toml").read_text())


@lru_cache(maxsize=1)
def layers() -> tuple[Layer, ...]:
    """Every layer, oldest first (so a later one wins within its scope)."""
    return tuple(sorted((_layer(entry) for entry in _data()["layer"]), key=lambda layer: layer.start))


def _layer(entry: dict[str, Any]) -> Layer:
    unknown = set(entry) - _SCOPE_KEYS - _FACT_KEYS
    if unknown:
        raise ValueError(f"payer facts: unknown keys {sorted(unknown)} in the layer for {entry.get('applies_to')}")
    end = entry.get("to")
    facts = {key: value for key, value in entry.items() if key in _FACT_KEYS}
    return Layer(str(entry["applies_to"]), entry["from"], end, facts)


def known_payers() -> dict[str, str]:
    """The payers our data names, and their kind."""
    return {str(payer_id): str(kind) for payer_id, kind in _data()["kinds"].items()}


@lru_cache(maxsize=1)
def administrators() -> tuple[Administrator, ...]:
    """The carve-out administrators we know, the newest first (a later entry takes over from its date)."""
    found = (
        Administrator(
            payer_id=str(entry["payer_id"]),
            names=tuple(str(name) for name in entry.get("names", ())),
            ids=frozenset((str(qualifier), str(identifier)) for qualifier, identifier in entry.get("ids", ())),
            since=entry["from"],
        )
        for entry in _data().get("administrator", ())
    )
    return tuple(sorted(found, key=lambda administrator: administrator.since, reverse=True))


def change_days() -> tuple[date, ...]:
    """Every day on which some payer's facts change (a layer begins or ends), in order."""
    days = {layer.start for layer in layers()} | {layer.end for layer in layers() if layer.end is not None}
    return tuple(sorted(days))


def payer_facts(payer_id: str, kind: str | None = None, *, on: date, overrides: Sequence[Layer] = ()) -> PayerFacts:
    """The facts in force on `on` (a date of service, or the day a window counts from): any payer's, then the
    kind's (the caller's, else the one our data knows for the payer), then the payer's own, key by key; then a
    practice's own overrides of this payer (`overrides`, the billing company knowing better), the most specific."""
    merged = dict(_merged(payer_id, kind, on))
    for layer in sorted(overrides, key=lambda layer: layer.start):
        if layer.holds(layer.scope, on):
            merged.update(layer.facts)
    return _facts(payer_id, kind or known_payers().get(payer_id), merged)


@lru_cache(maxsize=4096)
def _merged(payer_id: str, kind: str | None, on: date) -> dict[str, Any]:
    kind = kind or known_payers().get(payer_id)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"a payer's kind is one of {', '.join(KINDS)}, not {kind!r}")
    merged: dict[str, Any] = {}
    for scope in ("default", f"kind:{kind}", f"payer:{payer_id}"):
        for layer in layers():
            if layer.holds(scope, on):
                merged.update(layer.facts)
    return merged


_FITS = {
    "window": lambda v: isinstance(v, str) and Window.parse(v) is not None,
    "count": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "codes": lambda v: isinstance(v, list) and all(isinstance(code, str) and code for code in v),
    "counts": lambda v: isinstance(v, list) and all(isinstance(n, int) and not isinstance(n, bool) for n in v),
    "text": lambda v: isinstance(v, str) and 0 < len(v) <= 2,
    "yes or no": lambda v: isinstance(v, bool),
}
_SHAPES = {
    "window": "'<n> days' or '<n> months'",
    "count": "a whole number, 0 for none",
    "codes": "a list of codes",
    "counts": "a list of whole numbers",
    "text": "a code of one or two characters",
    "yes or no": "true or false",
}


def override(start: date, end: date | None, facts: Mapping[str, Any]) -> Layer:
    """A practice's override of one payer's facts, checked as strictly as our own data: a key that is not a fact,
    or a value the fact cannot take, raises ValueError beginning with the key (the set-up API answers 422 naming
    that field)."""
    if end is not None and end <= start:
        raise ValueError("effective_to: an override ends after it begins")
    for key, value in facts.items():
        kind = _FACT_TYPES.get(key)
        if kind is None:
            raise ValueError(f"{key}: not a payer fact; one of {', '.join(sorted(_FACT_TYPES))}")
        try:
            fits = _FITS[kind](value)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{key}: {_SHAPES[kind]}, not {value!r}")
    return Layer("practice", start, end, dict(facts))


def _facts(payer_id: str, kind: str | None, merged: dict[str, Any]) -> PayerFacts:
    timely_filing = Window.parse(merged["timely_filing"])
    corrected = merged.get("corrected_claim")
    return PayerFacts(
        payer_id=payer_id,
        kind=kind,
        timely_filing=timely_filing,
        appeal=Window.parse(merged["appeal"]),
        corrected_claim=Window.parse(corrected) if corrected else timely_filing,
        visit_limit=int(merged["visit_limit"]) or None,
        authorization=Authorization(
            always=frozenset(str(code) for code in merged["authorization_always"]),
            after_visits=int(merged["authorization_after_visits"]) or None,
            visit_codes=frozenset(str(code) for code in merged["authorization_visit_codes"]),
            review_at=tuple(sorted(int(count) for count in merged["authorization_review_at"])),
        ),
        telehealth_modifier=str(merged["telehealth_modifier"]),
        telehealth_place=str(merged["telehealth_place"]),
        new_original_after_denial=bool(merged["new_original_after_denial"]),
        eligibility_fresh_days=int(merged["eligibility_fresh_days"]),
        status_inquiry_after_days=int(merged["status_inquiry_after_days"]),
    )
