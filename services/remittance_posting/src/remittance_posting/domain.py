"""Posting an 835's claims: a claim payment's outcome, read from what its adjustments mean, and the events it
causes. Pure.

Every adjustment is classified by its group and CARC (`claimstream_platform.adjustments`, the rules in force on the
remittance's date; docs/money.md), and only denial-class amounts are denials. A claim whose allowed amount went to
the deductible (CO-45 and PR-1, nothing paid) was adjudicated and allowed; a Medicare claim paid less its
sequestration (CO-253) was paid in full. A crossover (CLP02 19/20/21) was processed like any claim and its
adjustments stand: it is only flagged `forwarded`, so that nobody bills the next payer by hand.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from claimstream_platform.adjustments import PATIENT, AdjustmentClass, classify
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.x12.claim_status import paid_as

from remittance_posting.known import KnownClaim
from remittance_posting.matching import match_lines
from remittance_posting.model import Adjustment, ClaimPayment, ServicePayment

FORWARDED = {"19", "20", "21"}  # processed and forwarded to the next payer (crossover)
REVERSAL = "22"
INFORMATIONAL = {"23", "25"}  # not our claim / predetermination: nothing paid or owed
ZERO = Decimal(0)


class RemittanceStatus(StrEnum):
    POSTED = "posted"  # balanced: every claim payment posted or in the exceptions queue
    HELD = "held"  # out of balance: nothing posted, held for review with the differences
    DUPLICATE = "duplicate"  # the payer's trace number was posted before (the same ERA in another file)


class PaymentState(StrEnum):
    POSTED = "posted"
    UNMATCHED = "unmatched"  # in the exceptions queue until a user assigns it or a later claim matches
    REVERSED = "reversed"  # a later CLP02 22 took it back


def from_another_payer(payment: ClaimPayment, claim: KnownClaim, era_payer_id: str) -> bool:
    """Another payer's word on our claim: a crossover payer paying (or taking back) the patient's share under our
    CLM01. Decided by who sent the 835 (its 1000A payer id) against the claim's payer; by CLP02 (processed as a
    later payer than the claim was billed to) only when the 835 names no payer id."""
    if era_payer_id:
        return era_payer_id != claim.payer_id
    place = paid_as(payment.status)
    return place is not None and place != claim.responsibility


def classified(adjustments: Sequence[Adjustment], on: date) -> list[events.PostedAdjustment]:
    """The adjustments as posted, each with its class on the remittance's date."""
    return [
        events.PostedAdjustment(
            group=a.group,
            reason=a.reason,
            amount=a.amount,
            adjustment_class=classify(a.group, a.reason, on),
        )
        for a in adjustments
    ]


def amount_of(adjustments: Sequence[events.PostedAdjustment], *classes: AdjustmentClass) -> Decimal:
    return sum((a.amount for a in adjustments if a.adjustment_class in classes), ZERO)


def outcome(payment: ClaimPayment, on: date) -> events.Outcome:
    """paid: nothing denied; denied: nothing paid, nothing left to the patient, and some denied; else partially
    paid. A reversal and the informational statuses say so whatever their amounts."""
    if payment.status == REVERSAL:
        return "reversed"
    if payment.status in INFORMATIONAL:
        return "informational"
    posted = classified(all_adjustments(payment), on)
    if amount_of(posted, AdjustmentClass.DENIAL) <= 0:
        return "paid"
    if payment.paid == 0 and amount_of(posted, *PATIENT) == 0:
        return "denied"
    return "partially_paid"


def all_adjustments(payment: ClaimPayment) -> list[Adjustment]:
    return [*payment.adjustments, *(a for line in payment.lines for a in line.adjustments)]


def posted_lines(payment: ClaimPayment, claim: KnownClaim, on: date) -> list[events.PostedLine]:
    numbers = match_lines(payment.lines, claim)
    return [_posted_line(line, number, on) for line, number in zip(payment.lines, numbers, strict=True)]


def _posted_line(line: ServicePayment, number: int | None, on: date) -> events.PostedLine:
    return events.PostedLine(
        line_number=number,
        code=line.code,
        billed_code=line.billed_code,
        modifiers=list(line.modifiers),
        charge=line.charge,
        paid=line.paid,
        allowed=line.allowed,
        adjustments=classified(line.adjustments, on),
        remarks=line.remarks,
        units_paid=line.units_paid if line.units_paid is not None else Decimal(1),  # SVC05 absent: one unit
    )


def allowed(payment: ClaimPayment) -> Decimal | None:
    """The sum of AMT*B6 when every line states it; None otherwise (the payer did not say)."""
    if not payment.lines or any(line.allowed is None for line in payment.lines):
        return None
    return sum((line.allowed for line in payment.lines if line.allowed is not None), ZERO)


def posting_events(
    remittance_id: UUID,
    paid_on: date | None,
    payment: ClaimPayment,
    claim: KnownClaim,
    *,
    era_payer_id: str,
    era_payer_label: str = "",
) -> tuple[events.PaymentPosted, list[IntegrationEvent]]:
    """The claim's PaymentPosted, and what else it causes: ClaimReversed, ClaimDenied (claim or lines). The
    payer named is the claim's, unless another payer (a crossover) sent the 835."""
    another = from_another_payer(payment, claim, era_payer_id)
    ids: dict[str, Any] = {
        "tenant_id": claim.tenant_id,
        "practice_id": claim.practice_id,
        "remittance_id": remittance_id,
        "claim_id": claim.claim_id,
        "patient_control_number": claim.patient_control_number,
        "payer_id": (era_payer_id or era_payer_label)[:80] if another else claim.payer_id,
    }
    on = paid_on or claim.service_date
    posted = events.PaymentPosted(
        **ids,
        payer_claim_number=payment.payer_claim_number or None,
        claim_status=payment.status,
        outcome=outcome(payment, on),
        charge=payment.charge,
        paid=payment.paid,
        allowed=allowed(payment),
        patient_responsibility=payment.patient_responsibility,
        adjustments=classified(all_adjustments(payment), on),
        remarks=payment.remarks,
        lines=posted_lines(payment, claim, on),
        paid_on=paid_on,
        forwarded=payment.status in FORWARDED,
    )
    return posted, _consequences(ids, payment, posted, on)


def _consequences(
    ids: dict[str, Any], payment: ClaimPayment, posted: events.PaymentPosted, on: date
) -> list[IntegrationEvent]:
    if posted.outcome == "reversed":
        return [events.ClaimReversed(**ids, payer_claim_number=posted.payer_claim_number, amount=-payment.paid)]
    if posted.outcome == "denied":  # the whole claim: its adjustments and remarks at both levels
        remarks = list(dict.fromkeys([*payment.remarks, *(r for line in payment.lines for r in line.remarks)]))
        return _denied(ids, posted.adjustments, remarks, posted.paid_on)
    if posted.outcome != "partially_paid":
        return []
    found = _denied(ids, classified(payment.adjustments, on), payment.remarks, posted.paid_on)
    for line in posted.lines:
        found += _denied(ids, line.adjustments, line.remarks, posted.paid_on, line=line)
    return found


def _denied(
    ids: dict[str, Any],
    adjustments: list[events.PostedAdjustment],
    remarks: list[str],
    paid_on: date | None,
    *,
    line: events.PostedLine | None = None,
) -> list[IntegrationEvent]:
    """A ClaimDenied for the claim's or one line's denial-class amounts; none when there are none."""
    amount = amount_of(adjustments, AdjustmentClass.DENIAL)
    if amount <= 0:
        return []
    denied = events.ClaimDenied(
        **ids,
        level="line" if line else "claim",
        line_number=line.line_number if line else None,
        code=line.code if line else None,
        amount=amount,
        adjustments=adjustments,
        remarks=remarks,
        paid_on=paid_on,
    )
    return [denied]
