"""What a remittance does to the money, pure: a claim payment posted, line by line, each adjustment booked by its
class; and a provider-level adjustment that names a claim (docs/money.md).

- The billed payer: its payment lowers what the insurance owes; the patient's share moves from the insurance to the
  patient; contractual and payment adjustments are settled for good; a denial stays owed by the payer, on its line,
  until it is worked; a prior payer's part (OA-23) books nothing.
- Another payer on the same claim (a crossover paying the patient's share under our CLM01): its payment lowers what
  the patient owes; its contractual and payment adjustments are settled out of the patient's share; a denial of
  its part moves that part from the patient back to the insurance, open; what it leaves the patient stays hers.
- A reversal carries negated amounts, and so undoes exactly what the posting it reverses booked.
- A recoupment (PLB WO or 72) naming the claim takes its payment back: the insurance owes that much again.
  Interest (L6) is income, kept on the claim apart and never in its balance.
"""

from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from claimstream_platform.adjustments import AdjustmentClass, classify, provider_adjustment_kind

from projection.model import INSURANCE, PATIENT, ZERO, ClaimView, Fact, Folded, Line, money

C = AdjustmentClass
Booked = tuple[str, str, Decimal, str]  # group, reason, amount, class


def posted(folded: Folded, fact: Fact) -> None:
    claim = folded.claims.get(fact.claim_id) if fact.claim_id else None
    if claim is None:
        return
    d = fact.data
    another = d["payer_id"] != claim.payer_id
    on = date.fromisoformat(d["paid_on"]) if d.get("paid_on") else claim.service_date
    denied = ZERO
    for line, paid, adjustments in _lines(d, on):
        folded.book(claim, fact.at, PATIENT if another else INSURANCE, "payment", -paid, line)
        for booked in adjustments:
            denied += _adjust(folded, claim, fact.at, line, booked, another=another)
    claim.paid += money(d["paid"])  # the claim's own story; the money may have moved on to its replacement
    claim.allowed += money(d.get("allowed"))
    claim.denied += denied
    _milestones(claim, fact, denied, another=another)


def _lines(d: Mapping[str, Any], on: date) -> Iterator[tuple[Line, Decimal, list[Booked]]]:
    """What the payer said per line, then of the claim as a whole: CLP04 is the lines' SVC03 less the claim-level
    adjustments (events posted before lines were kept: all of it at the claim level)."""
    lines = d.get("lines") or []
    on_lines: Counter[tuple[str, str, str]] = Counter()
    for line in lines:
        booked = [_booked(a, on) for a in line["adjustments"]]
        on_lines.update((a["group"], a["reason"], str(money(a["amount"]))) for a in line["adjustments"])
        yield line["line_number"], money(line["paid"]), booked
    claim_level = []
    for a in d["adjustments"]:
        key = (a["group"], a["reason"], str(money(a["amount"])))
        if on_lines[key] > 0:
            on_lines[key] -= 1
        else:
            claim_level.append(_booked(a, on))
    lines_paid = sum((money(line["paid"]) for line in lines), ZERO)
    yield None, money(d["paid"]) - lines_paid, claim_level


def _booked(adjustment: Mapping[str, Any], on: date) -> Booked:
    group, reason = adjustment["group"], adjustment["reason"]
    given = adjustment.get("adjustment_class")
    return group, reason, money(adjustment["amount"]), given or classify(group, reason, on)


def _adjust(folded: Folded, claim: ClaimView, at: datetime, line: Line, booked: Booked, *, another: bool) -> Decimal:
    """Book one adjustment by its class; returns the amount denied (which stays owed)."""
    _, _, amount, kind = booked
    payer_side = PATIENT if another else INSURANCE
    if kind in (C.PATIENT_COST_SHARE, C.PATIENT_NONCOVERED):
        if not another:  # another payer's PR is what it leaves of the share the patient already owes
            folded.book(claim, at, INSURANCE, "patient_responsibility", -amount, line)
            folded.book(claim, at, PATIENT, "patient_responsibility", amount, line)
            claim.patient_responsibility += amount
    elif kind in (C.CONTRACTUAL, C.PAYMENT_ADJUSTMENT):
        folded.book(claim, at, payer_side, str(kind), -amount, line)
        if kind == C.CONTRACTUAL:
            claim.contractual += amount
        else:
            claim.payment_adjustments += amount
    elif kind == C.DENIAL:
        if another:  # the other payer refused its part of the patient's share: open with the insurance again
            folded.book(claim, at, PATIENT, "other_payer_denial", -amount, line)
            folded.book(claim, at, INSURANCE, "other_payer_denial", amount, line)
        return amount
    return ZERO


def _milestones(claim: ClaimView, fact: Fact, denied: Decimal, *, another: bool) -> None:
    d = fact.data
    if money(d["paid"]) > 0 and claim.paid_at is None:
        claim.paid_at = fact.at
    if another:
        return  # the billed payer's word alone sets the claim's status and its first adjudication
    if claim.adjudicated_at is None and d["outcome"] != "reversed":
        claim.adjudicated_at = fact.at
        claim.first_denied = denied > 0  # a deductible, a contractual or payment adjustment is no denial
        claim.first_denied_amount = denied
    if claim.closed_at is None:
        claim.status = d["outcome"]


def provider_adjustment(folded: Folded, fact: Fact) -> None:
    """A PLB amount naming the claim: a recoupment takes its payment back; interest is income."""
    claim = folded.claims.get(fact.claim_id) if fact.claim_id else None
    if claim is None:
        return
    d = fact.data
    amount = money(d["amount"])  # positive: taken from the provider
    kind = d.get("kind") or provider_adjustment_kind(d["reason"])
    if kind == "recoupment":
        folded.book(claim, fact.at, INSURANCE, "recoupment", amount)
        claim.recouped += amount
    elif kind == "interest":
        claim.interest -= amount
