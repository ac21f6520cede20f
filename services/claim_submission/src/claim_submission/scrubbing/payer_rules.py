"""What we know of each payer's rules, as dated data (`claim_submission/data/payer_rules.toml`, by kind then payer):
timely filing, and the codes that need a prior authorization (from the first visit, or after a number of visits
in a calendar year). Pure: `rules_for` is the one way to read them."""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from claimstream_platform.dates import filing_deadline

from claim_submission.domain.content import ClaimContent


@dataclass(frozen=True)
class PayerRules:
    timely_filing_days: int | None  # a window counted in days, or
    timely_filing_months: int | None  # one counted in calendar months ("one calendar year": 12)
    prior_auth_codes: frozenset[str]  # need an authorization from the first visit
    prior_auth_after_visits: int | None = None  # visits in the calendar year after which ...
    prior_auth_visit_codes: frozenset[str] = frozenset()  # ... these need one too

    def counts_visits(self, charges: ClaimContent) -> bool:
        """Whether the claim's need for an authorization depends on the patient's visits this year."""
        return self.prior_auth_after_visits is not None and any(
            line.code in self.prior_auth_visit_codes for line in charges.lines
        )

    def filing_deadline(self, service_date: date) -> date:
        return filing_deadline(service_date, days=self.timely_filing_days, months=self.timely_filing_months)

    def window(self) -> str:
        return f"{self.timely_filing_months} months" if self.timely_filing_months else f"{self.timely_filing_days} days"


@lru_cache(maxsize=1)
def _layers() -> tuple[dict[str, Any], ...]:
    data = tomllib.loads((resources.files("claim_submission") / "data" / "payer_rules.toml").read_text())
    return tuple(data["rule"])


def rules_for(payer_id: str, kind: str, on: date) -> PayerRules:
    """The rules in force on `on`: the kind's layers, then the payer's own, each oldest first."""
    merged: dict[str, Any] = {}
    for scope in (f"kind:{kind}", f"payer:{payer_id}"):
        for layer in sorted((x for x in _layers() if x["applies_to"] == scope), key=lambda x: x["effective_from"]):
            if layer["effective_from"] <= on <= layer.get("effective_to", date.max):
                merged.update(
                    {k: v for k, v in layer.items() if k not in ("applies_to", "effective_from", "effective_to")}
                )
    months = merged.get("timely_filing_months") or None  # 0: a later layer counts in days again
    days = None if months else int(merged.get("timely_filing_days", 90))
    after = merged.get("prior_auth_after_visits")
    codes, visit_codes = (frozenset(merged.get(key, ())) for key in ("prior_auth_codes", "prior_auth_visit_codes"))
    return PayerRules(days, months, codes, None if after is None else int(after), visit_codes)
