"""Deadlines and priority, per payer (data/payers.toml). Pure.

- Appeal: the payer's appeal window from the remittance's date (BPR16), not from the day we read it.
- Corrected claim: the payer's timely-filing window from the date of service, or for a later payer's claim from
  the day the payer before it paid (its EOB date); a rejection was never filed, so its only deadline is this one.
  The case keeps which of these its deadline counts from (`Deadline.basis`).
- Priority: the dollars at stake, raised as the deadline nears: recoverable × (1 + 30 / days left), so $100 due
  in 3 days (1,100) comes before $500 due in 90 days (667). Past its deadline a case keeps its dollars only.
"""

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from claimstream_platform.dates import filing_deadline


@dataclass(frozen=True)
class PayerTerms:
    appeal_days: int
    timely_filing_days: int | None
    timely_filing_months: int | None
    telehealth_modifier: str
    telehealth_place: str
    new_original_after_denial: bool = False


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads((resources.files("denial_management") / "data" / "payers.toml").read_text())


def terms(payer_id: str) -> PayerTerms:
    data = _data()
    own = data.get("payer", {}).get(payer_id, {})
    merged = {**data["default"], **own}
    if "timely_filing_months" in own:
        merged.pop("timely_filing_days", None)
    return PayerTerms(
        appeal_days=int(merged["appeal_days"]),
        timely_filing_days=merged.get("timely_filing_days"),
        timely_filing_months=merged.get("timely_filing_months"),
        telehealth_modifier=str(merged["telehealth_modifier"]),
        telehealth_place=str(merged["telehealth_place"]),
        new_original_after_denial=bool(merged.get("new_original_after_denial", False)),
    )


@dataclass(frozen=True)
class Deadline:
    day: date
    basis: str  # remittance_date | service_date | prior_payer_paid_on: what the window counts from


def case_deadline(
    payer_id: str, *, appeal: bool, denied_on: date, service_date: date, prior_payer_paid_on: date | None
) -> Deadline:
    """The deadline that counts for a case: the appeal window, or the corrected claim's timely filing."""
    if appeal:
        return Deadline(appeal_deadline(payer_id, denied_on), "remittance_date")
    if prior_payer_paid_on is not None:
        return Deadline(corrected_claim_deadline(payer_id, prior_payer_paid_on), "prior_payer_paid_on")
    return Deadline(corrected_claim_deadline(payer_id, service_date), "service_date")


def appeal_deadline(payer_id: str, denied_on: date) -> date:
    return denied_on + timedelta(days=terms(payer_id).appeal_days)


def corrected_claim_deadline(payer_id: str, service_date: date) -> date:
    payer = terms(payer_id)
    return filing_deadline(service_date, days=payer.timely_filing_days, months=payer.timely_filing_months)


def priority(recoverable: Decimal, deadline: date | None, today: date) -> int:
    if deadline is None:
        return int(recoverable)
    days_left = (deadline - today).days
    if days_left < 0:
        return int(recoverable)
    return int(recoverable * (1 + Decimal(30) / max(days_left, 1)))
