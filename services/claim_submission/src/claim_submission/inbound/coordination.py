"""Coordination of benefits: the claim to the next payer once one payer has paid. Pure.

A patient with a secondary (and tertiary) coverage is billed in turn: the primary first; once its 835 has
posted, the secondary gets the same services with what the primary did (2320 `AMT*D` paid and claim-level
`CAS`, 2430 `SVD` and line `CAS` per line, `DTP*573` the day it paid). It is billed only when the patient
still owes something (PR adjustments): the later payer covers the patient's share, never the contractual
write-off. A crossover (CLP02 19/20: the payer forwarded the claim itself) is never billed again by hand:
its patient share waits for the crossover payer's own 835.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

from claimstream_platform.contracts.remittance_posting import PaymentPosted, PostedAdjustment, PostedLine
from claimstream_platform.x12.claim_status import paid_as

from claim_submission.domain.content import Adjudication, Adjustment, ClaimContent, LineAdjudication, OtherPayer

ORDER = ("primary", "secondary", "tertiary")
BILLABLE_OUTCOMES = frozenset({"paid", "partially_paid", "denied"})


def adjudication_of(event: PaymentPosted, *, paid_on: date) -> Adjudication:
    """Remittance posting's event mapped into this service's model, at the edge. Its `adjustments` hold the
    claim's and the lines' together: what the lines do not carry is the claim level's."""
    line_adjustments = Counter(_key(a) for line in event.lines for a in line.adjustments)
    claim_level = []
    for adjustment in event.adjustments:
        if line_adjustments[_key(adjustment)] > 0:
            line_adjustments[_key(adjustment)] -= 1
        else:
            claim_level.append(_adjustment(adjustment))
    return Adjudication(
        payer_claim_number=event.payer_claim_number,
        paid=event.paid,
        paid_on=event.paid_on or paid_on,
        claim_adjustments=claim_level,
        lines=[_line_adjudication(line) for line in event.lines if line.line_number is not None],
    )


def _line_adjudication(line: PostedLine) -> LineAdjudication:
    assert line.line_number is not None
    return LineAdjudication(
        line_number=line.line_number,
        code=line.code,
        modifiers=line.modifiers,
        paid=line.paid,
        adjustments=[_adjustment(a) for a in line.adjustments],
        units_paid=line.units_paid,
    )


def from_the_billed_payer(content: ClaimContent, event: PaymentPosted) -> bool:
    """Whether an 835's claim payment is the billed payer's word. A crossover payer pays (or takes back) our claim
    in its own 835 under our CLM01: remittance posting names that payer, not ours. Events posted before it named
    the payer that way are told by CLP02 (processed as a later payer than the one billed)."""
    if event.payer_id != content.payer.payer_id:
        return False
    place = paid_as(event.claim_status)
    return place is None or place == content.responsibility


def next_payer(
    content: ClaimContent, outcome: str, adjudication: Adjudication, *, forwarded: bool = False
) -> ClaimContent | None:
    """The content of the claim to the next payer, or None when there is none to bill: no further coverage,
    nothing left for the patient to owe, a reversal (not a payer's last word), or a claim the payer forwarded to
    the next payer itself (a crossover: its patient share waits for that payer's own 835)."""
    if forwarded or outcome not in BILLABLE_OUTCOMES or adjudication.patient_responsibility <= 0:
        return None
    place = ORDER.index(content.responsibility)
    later = [o for o in content.other_payers if o.adjudication is None and ORDER.index(o.responsibility) > place]
    if not later:
        return None
    following = min(later, key=lambda o: ORDER.index(o.responsibility))
    this_payer = OtherPayer(
        responsibility=content.responsibility,
        coverage=content.coverage,
        payer=content.payer,
        adjudication=adjudication,
    )
    others = [o for o in content.other_payers if o is not following] + [this_payer]
    return content.model_copy(
        update={
            "responsibility": following.responsibility,
            "coverage": following.coverage,
            "payer": following.payer,
            "other_payers": sorted(others, key=lambda o: ORDER.index(o.responsibility)),
        }
    )


def unbalanced(content: ClaimContent) -> list[str]:
    """Where the COB amounts do not balance, as a payer checks them: per line, charge − line CAS = SVD02;
    per other payer, the claim's charge − all its CAS = AMT*D paid. Empty when every amount balances."""
    problems = []
    charges = {line.line_number: line.amount for line in content.lines}
    for other in content.other_payers:
        done = other.adjudication
        if done is None:
            continue
        for line in done.lines:
            if charges.get(line.line_number, line.paid) - _sum(line.adjustments) != line.paid:
                problems.append(f"{other.payer.payer_id} line {line.line_number}")
        adjusted = _sum(done.claim_adjustments) + sum((_sum(line.adjustments) for line in done.lines), Decimal(0))
        if content.total - adjusted != done.paid:
            problems.append(f"{other.payer.payer_id} claim")
    return problems


def _sum(adjustments: list[Adjustment]) -> Decimal:
    return sum((a.amount for a in adjustments), Decimal(0))


def _key(adjustment: PostedAdjustment) -> tuple[str, str, str]:
    return (adjustment.group, adjustment.reason, str(adjustment.amount))


def _adjustment(adjustment: PostedAdjustment) -> Adjustment:
    return Adjustment(group=adjustment.group, reason=adjustment.reason, amount=adjustment.amount)
