"""Deadlines and priority, per payer (the platform's payer facts, docs/domain/payers.md). Pure.

- Appeal: the payer's appeal window from the remittance's date (BPR16), not from the day we read it.
- Corrected claim: the payer's corrected-claim window (its timely filing unless it sets one of its own) from the
  date of service, or for a later payer's claim from the day the payer before it paid (its EOB date); a rejection
  was never filed, so its only deadline is this one. The rules are those in force on the date of service.
  The case keeps which of these its deadline counts from (`Deadline.basis`).
- The payer's `kind` (the claim's, as claim submission billed it) decides the windows of a payer our facts do not
  name, as it does for claim submission's scrubber; None reads the payer by its id alone.
- A practice's own facts for the payer (`overrides`, charge capture's, docs/domain/payers.md) apply over ours to
  both windows, on the days they hold.
- Priority: the dollars at stake, raised as the deadline nears: recoverable × (1 + 30 / days left), so $100 due
  in 3 days (1,100) comes before $500 due in 90 days (667). Past its deadline a case keeps its dollars only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimstream_platform.payers import Layer, payer_facts


@dataclass(frozen=True)
class Deadline:
    day: date
    basis: str  # remittance_date | service_date | prior_payer_paid_on: what the window counts from


def case_deadline(
    payer_id: str,
    *,
    appeal: bool,
    denied_on: date,
    service_date: date,
    prior_payer_paid_on: date | None,
    overrides: Sequence[Layer] = (),
    kind: str | None = None,
) -> Deadline:
    """The deadline that counts for a case: the appeal window, or the corrected claim's timely filing."""
    if appeal:
        return Deadline(appeal_deadline(payer_id, denied_on, overrides, kind=kind), "remittance_date")
    if prior_payer_paid_on is not None:
        day = corrected_claim_deadline(
            payer_id, service_date, counted_from=prior_payer_paid_on, overrides=overrides, kind=kind
        )
        return Deadline(day, "prior_payer_paid_on")
    return Deadline(corrected_claim_deadline(payer_id, service_date, overrides=overrides, kind=kind), "service_date")


def appeal_deadline(
    payer_id: str, denied_on: date, overrides: Sequence[Layer] = (), *, kind: str | None = None
) -> date:
    return payer_facts(payer_id, kind, on=denied_on, overrides=overrides).appeal.deadline(denied_on)


def corrected_claim_deadline(
    payer_id: str,
    service_date: date,
    *,
    counted_from: date | None = None,
    overrides: Sequence[Layer] = (),
    kind: str | None = None,
) -> date:
    """The last day for a corrected claim: the window in force on the date of service, counted from that date or,
    for a later payer's claim, from the prior payer's payment."""
    window = payer_facts(payer_id, kind, on=service_date, overrides=overrides).corrected_claim
    return window.deadline(counted_from or service_date)


def priority(recoverable: Decimal, deadline: date | None, today: date) -> int:
    if deadline is None:
        return int(recoverable)
    days_left = (deadline - today).days
    if days_left < 0:
        return int(recoverable)
    return int(recoverable * (1 + Decimal(30) / max(days_left, 1)))
