"""What a remittance does to the money, pure: a claim payment posted, line by line, each adjustment booked by its
class; and a provider-level adjustment that names a claim (docs/money.md §2 and §4).

Who speaks decides how a posting books (`Speaker`):
- the billed payer: its payment lowers what the insurance owes; the patient's share moves from the insurance to
  the patient; contractual and payment adjustments are settled for good; a denial stays owed by the payer, on its
  line, until it is worked; a prior payer's part (OA-23) books nothing;
- the billed payer forwarding the claim itself (a crossover, CLP02 19/20/21): the same, except that the patient's
  share is the crossover payer's to answer first: it stays with the insurance, as that payer's share;
- the crossover payer, on a claim forwarded to it: works on that share: it pays it, leaves the patient her part
  (PR), settles or denies the rest; whatever of the share it neither pays, denies nor leaves her (its OA-23 says
  the prior payer covered it) is settled;
- another payer on a claim not known to be forwarded: its payment and adjustments work on the patient's share;
  its denial moves its part (at most what she owes) back to the insurance, open.
A reversal carries negated amounts and books as the posting it reverses did, undoing exactly that.

A recoupment (PLB WO or 72) naming the claim takes its payment back: the insurance owes that much again. Interest
(L6) is income, kept on the claim apart and never in its balance.
"""

from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from claimstream_platform.adjustments import PATIENT as PATIENT_CLASSES
from claimstream_platform.adjustments import SETTLED, AdjustmentClass, classify, provider_adjustment_kind

from projection.model import INSURANCE, PATIENT, ZERO, ClaimView, Fact, Folded, Line, money

C = AdjustmentClass
FORWARDING = frozenset({"19", "20", "21"})
Booked = tuple[str, str, Decimal, str]  # group, reason, amount, class


class Speaker(Enum):
    BILLED = "billed"
    FORWARDING = "forwarding"
    CROSSOVER = "crossover"
    OTHER = "other"


def speaker(claim: ClaimView, d: Mapping[str, Any]) -> Speaker:
    """Who speaks in a posting. The billed payer's own adjudication also says whether it forwarded the claim, kept
    on the claim for the crossover payer's posting and any reversal that follow it."""
    if d["payer_id"] != claim.payer_id:
        return Speaker.CROSSOVER if claim.forwarded else Speaker.OTHER
    if d["outcome"] == "reversed":  # undoes the posting it reverses, as that one booked
        return Speaker.FORWARDING if claim.forwarded else Speaker.BILLED
    claim.forwarded = bool(d.get("forwarded")) or d["claim_status"] in FORWARDING or d["outcome"] == "forwarded"
    return Speaker.FORWARDING if claim.forwarded else Speaker.BILLED


def posted(folded: Folded, fact: Fact) -> None:
    claim = folded.claims.get(fact.claim_id) if fact.claim_id else None
    if claim is None:
        return
    d = fact.data
    who = speaker(claim, d)
    on = date.fromisoformat(d["paid_on"]) if d.get("paid_on") else claim.service_date
    denied = ZERO
    for line, paid, adjustments in _lines(d, on):
        side = PATIENT if who == Speaker.OTHER else INSURANCE
        folded.book(claim, fact.at, side, "payment", -paid, line)
        used = paid + sum((_adjust(folded, claim, fact.at, line, booked, who) for booked in adjustments), ZERO)
        denied += sum((b[2] for b in adjustments if b[3] == C.DENIAL), ZERO)
        if who == Speaker.CROSSOVER:
            _settle_the_share(folded, claim, fact.at, line, used)
    claim.paid += money(d["paid"])  # the claim's own story; the money may have moved on to its replacement
    claim.allowed += money(d.get("allowed"))
    claim.denied += denied
    _milestones(claim, fact, denied, another=who in (Speaker.CROSSOVER, Speaker.OTHER))


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


def _adjust(folded: Folded, claim: ClaimView, at: datetime, line: Line, booked: Booked, who: Speaker) -> Decimal:
    """Book one adjustment by its class and who said it; returns how much of the crossover share it answers."""
    _, _, amount, kind = booked
    if kind in PATIENT_CLASSES:
        if who == Speaker.FORWARDING:  # the crossover payer's to answer before the patient's
            claim.crossover_share[line] = claim.crossover_share.get(line, ZERO) + amount
        elif who != Speaker.OTHER:  # another payer's PR is what it leaves of the share she owes already
            folded.book(claim, at, INSURANCE, "patient_responsibility", -amount, line)
            folded.book(claim, at, PATIENT, "patient_responsibility", amount, line)
        if who != Speaker.CROSSOVER:
            claim.patient_responsibility += amount
        return amount
    if kind in SETTLED:
        folded.book(claim, at, PATIENT if who == Speaker.OTHER else INSURANCE, str(kind), -amount, line)
        if kind == C.CONTRACTUAL:
            claim.contractual += amount
        else:
            claim.payment_adjustments += amount
        return amount
    if kind == C.DENIAL and who == Speaker.OTHER:  # its part of what she owes goes back to the insurance, open
        part = min(amount, max(folded.balance(folded.live(claim), PATIENT, line), ZERO))
        folded.book(claim, at, PATIENT, "other_payer_denial", -part, line)
        folded.book(claim, at, INSURANCE, "other_payer_denial", part, line)
    return amount if kind == C.DENIAL else ZERO


def _settle_the_share(folded: Folded, claim: ClaimView, at: datetime, line: Line, used: Decimal) -> None:
    """What of the crossover share its payer neither paid, left the patient, settled nor denied: its OA-23 says the
    prior payer's adjudication covered it, so nobody owes it any more."""
    share = claim.crossover_share.pop(line, ZERO)
    left = share - used
    if left > 0:
        folded.book(claim, at, INSURANCE, "contractual", -left, line)
        claim.contractual += left


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


def payer_refunded(folded: Folded, fact: Fact) -> None:
    """What a payer overpaid, sent back on its request: it has it back, as if it had recouped it."""
    claim = folded.claims.get(fact.claim_id) if fact.claim_id else None
    if claim is not None:
        folded.book(claim, fact.at, INSURANCE, "payer_refund", money(fact.data["amount"]))
