"""Authorization rules per payer: which services the payer wants authorized (the platform's payer facts, dated,
docs/domain/payers.md) with this service's own settings (data/rules.toml: when to warn, what a renewal asks for).
Pure.

`shipped()` is every known payer's rule from each day the payer facts change, and `*`'s for any other payer;
`rule_for` takes the payer's newest in force on the date of service, else the `*` one. A charge says its payer's
kind, and a practice may override a payer's facts (`PayerFactsOverridden`, kept by the handler): `practice_rule` is
given both and reads the payer's facts by that kind, so a payer our data does not name gets its kind's rule (what
claim submission's scrubber holds the claim to), with the practice's layers over ours.
"""

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from claimstream_platform.payers import Layer, change_days, known_payers, payer_facts

ANY_PAYER = "*"


@dataclass(frozen=True)
class Rule:
    payer: str
    effective_from: date
    always: frozenset[str]  # codes that need authorization from the first visit
    after_visits: int | None  # visits in the calendar year after which `visit_codes` need it too
    visit_codes: frozenset[str]
    review_at: tuple[int, ...]  # visit counts at which a concurrent review is due
    warn_share: Decimal
    warn_days: int
    renewal_visits: int
    ask_ahead: int = 0  # visits before `after_visits` at which an authorization for `visit_codes` is asked for

    def needs_authorization(self, code: str, visits_this_year: int) -> bool:
        """Whether `code` needs an authorization for a visit after `visits_this_year` earlier ones."""
        if code in self.always:
            return True
        return self.after_visits is not None and code in self.visit_codes and visits_this_year >= self.after_visits

    def asks_ahead(self, code: str, visits_this_year: int) -> bool:
        """Whether a visit with `code`, the year's `visits_this_year`-th, is when to ask for the authorization the
        visits after the count will need (asked as the patient approaches it, not once the claims are held)."""
        if self.after_visits is None or code not in self.visit_codes:
            return False
        return visits_this_year >= self.after_visits - self.ask_ahead

    def reviews_between(self, before: int, after: int) -> list[int]:
        """The review points reached when an authorization's visits go from `before` to `after`."""
        return [point for point in self.review_at if before < point <= after]


def rule_of(
    payer_id: str, day: date, settings: dict[str, Any], overrides: Sequence[Layer] = (), kind: str | None = None
) -> Rule:
    """The payer's rule on `day`: its facts (by its `kind` when our data does not know the payer; `*` with no kind:
    a payer we know nothing of) under a practice's `overrides` of them, and the service's settings."""
    wanted = payer_facts(payer_id, kind, on=day, overrides=overrides).authorization
    return Rule(
        payer=payer_id,
        effective_from=day,
        always=wanted.always,
        after_visits=wanted.after_visits,
        visit_codes=wanted.visit_codes,
        review_at=wanted.review_at,
        warn_share=Decimal(str(settings["warn_share"])),
        warn_days=int(settings["warn_days"]),
        renewal_visits=int(settings["renewal_visits"]),
        ask_ahead=int(settings.get("ask_ahead", 0)),
    )


def rule_for(rules: Iterable[Rule], payer_id: str, on: date) -> Rule:
    """The payer's rule in force on `on`, else the `*` one."""
    in_force = sorted((r for r in rules if r.effective_from <= on), key=lambda r: r.effective_from)
    own = [r for r in in_force if r.payer == payer_id]
    fallback = [r for r in in_force if r.payer == ANY_PAYER]
    if not own and not fallback:
        raise LookupError(f"no authorization rule in force on {on}")
    return (own or fallback)[-1]


def practice_rule(payer_id: str, on: date, overrides: Sequence[Layer] = (), kind: str | None = None) -> Rule:
    """The payer's rule in force on `on` for a practice's patient: with no `overrides` (the practice's layers over
    our facts of this payer) and no `kind` (the payer's kind as the charge says it), the shipped one; else the
    payer's facts on that day, by its kind and under the overrides, as the scrubber reads them."""
    if not overrides and kind is None:
        return rule_for(shipped(), payer_id, on)
    return rule_of(payer_id, on, settings(), overrides, kind)


def settings() -> dict[str, Any]:
    """The service's own settings (a copy: read once, asked for each charge)."""
    return dict(_settings())


@lru_cache(maxsize=1)
def _settings() -> dict[str, Any]:
    return dict(tomllib.loads((resources.files("prior_authorization") / "data" / "rules.toml").read_text())["defaults"])


@lru_cache(maxsize=1)
def shipped() -> tuple[Rule, ...]:
    own = settings()
    payers = (ANY_PAYER, *known_payers())
    return tuple(rule_of(payer_id, day, own) for payer_id in payers for day in change_days())
