"""Authorization rules per payer, as data with effective dates (data/rules.toml). Pure.

A payer's newest entry in force on the date of service applies; a payer without one gets the `*` entry's.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any


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
        return (self.after_visits is not None and code in self.visit_codes
                and visits_this_year >= self.after_visits - self.ask_ahead)  # fmt: skip

    def reviews_between(self, before: int, after: int) -> list[int]:
        """The review points reached when an authorization's visits go from `before` to `after`."""
        return [point for point in self.review_at if before < point <= after]


def parse(text: str) -> list[Rule]:
    data = tomllib.loads(text)
    defaults = data.get("defaults", {})
    return [_rule(entry, defaults) for entry in data["rule"]]


def _rule(entry: dict[str, Any], defaults: dict[str, Any]) -> Rule:
    merged = {**defaults, **entry}
    return Rule(
        payer=merged["payer"], effective_from=merged["effective_from"], always=frozenset(merged.get("always", ())),
        after_visits=merged.get("after_visits"), visit_codes=frozenset(merged.get("visit_codes", ())),
        review_at=tuple(sorted(merged.get("review_at", ()))), warn_share=Decimal(str(merged["warn_share"])),
        warn_days=int(merged["warn_days"]), renewal_visits=int(merged["renewal_visits"]),
        ask_ahead=int(merged.get("ask_ahead", 0)),
    )  # fmt: skip


def rule_for(rules: Iterable[Rule], payer_id: str, on: date) -> Rule:
    """The payer's rule in force on `on`, else the `*` one."""
    in_force = sorted((r for r in rules if r.effective_from <= on), key=lambda r: r.effective_from)
    own = [r for r in in_force if r.payer == payer_id]
    fallback = [r for r in in_force if r.payer == "*"]
    if not own and not fallback:
        raise LookupError(f"no authorization rule in force on {on}")
    return (own or fallback)[-1]


@lru_cache(maxsize=1)
def shipped() -> tuple[Rule, ...]:
    return tuple(parse((resources.files("prior_authorization") / "data" / "rules.toml").read_text()))
