"""Posting an 835's claims: each claim payment matched to a claim we know, its outcome, its lines matched, and
the events it causes. Pure.

Remittance posting owns its model of claims (`KnownClaim`), mapped at the edge from claim submission's events.
A claim payment is matched by CLP01 to the claim's patient control number (CLM01), else by the payer's claim
number (CLP07, as the 277CA gave it); lines by REF*6R, else by code and modifiers when the payer dropped or
reordered them, else by the code billed (SVC06) when it paid another.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.x12.claim_status import paid_as

from remittance_posting.model import Adjustment, ClaimPayment, ServicePayment

FORWARDED = {"19", "20", "21"}  # processed and forwarded to the next payer (crossover)
REVERSAL = "22"
INFORMATIONAL = {"23", "25"}  # not our claim / predetermination: nothing paid or owed


class RemittanceStatus(StrEnum):
    POSTED = "posted"  # balanced: every claim payment posted or in the exceptions queue
    HELD = "held"  # out of balance: nothing posted, held for review with the differences
    DUPLICATE = "duplicate"  # the payer's trace number was posted before (the same ERA in another file)


class PaymentState(StrEnum):
    POSTED = "posted"
    UNMATCHED = "unmatched"  # in the exceptions queue until a user assigns it or a later claim matches
    REVERSED = "reversed"  # a later CLP02 22 took it back


@dataclass(frozen=True)
class KnownLine:
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    amount: Decimal
    control_number: str  # REF*6R as the 837P wrote it


@dataclass(frozen=True)
class KnownClaim:
    claim_id: UUID
    tenant_id: UUID
    practice_id: UUID | None
    patient_control_number: str
    payer_id: str
    payer_claim_number: str | None
    lines: tuple[KnownLine, ...]
    service_date: date
    responsibility: str = "primary"  # billed to the primary, or to a later payer with the earlier payments


def from_another_payer(payment: ClaimPayment, claim: KnownClaim) -> bool:
    """A crossover payer paying our claim in its own 835, under our CLM01 (CLP02 2 on a claim billed to the
    primary): its claim number and amounts are not the billed payer's."""
    place = paid_as(payment.status)
    return place is not None and place != claim.responsibility


def outcome(payment: ClaimPayment) -> events.Outcome:
    if payment.status == REVERSAL:
        return "reversed"
    if payment.status in FORWARDED:
        return "forwarded"
    if payment.status in INFORMATIONAL:
        return "informational"
    if payment.paid == 0 and payment.charge > 0 and not _all_patient(payment):
        return "denied"
    owed_by_patient = sum((a.amount for a in all_adjustments(payment) if a.group == "PR"), Decimal(0))
    contractual = sum((a.amount for a in all_adjustments(payment) if a.group == "CO" and a.reason == "45"), Decimal(0))
    return "paid" if payment.paid + owed_by_patient + contractual >= payment.charge else "partially_paid"


def all_adjustments(payment: ClaimPayment) -> list[Adjustment]:
    return [*payment.adjustments, *(a for line in payment.lines for a in line.adjustments)]


def _all_patient(payment: ClaimPayment) -> bool:
    """Nothing paid because the patient owes it all (a deductible): not a denial."""
    found = all_adjustments(payment)
    return bool(found) and all(a.group == "PR" for a in found)


def line_denied(line: ServicePayment) -> bool:
    return line.paid == 0 and line.charge > 0 and not all(a.group == "PR" for a in line.adjustments)


def match_lines(lines: Sequence[ServicePayment], claim: KnownClaim) -> list[int | None]:
    """The claim's line each paid line stands for (each used once), in order of preference: the line control
    number; the code and the same modifiers in any order; the code with the payer's modifiers a subset of ours
    (dropped ones); the billed code (SVC06) likewise; the code alone."""
    free = {line.line_number: line for line in claim.lines}
    matched: list[int | None] = [None] * len(lines)
    rules = (_by_control, _same_modifiers, _modifiers_dropped, _billed_code, _code_only)
    for rule in rules:
        for index, paid in enumerate(lines):
            if matched[index] is None:
                found = next((n for n, known in free.items() if rule(paid, known)), None)
                if found is not None:
                    matched[index] = found
                    del free[found]
    return matched


def _by_control(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.control_number is not None and paid.control_number == known.control_number


def _same_modifiers(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.code == known.code and sorted(paid.modifiers) == sorted(known.modifiers)


def _modifiers_dropped(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.code == known.code and set(paid.modifiers) <= set(known.modifiers)


def _billed_code(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.billed_code == known.code and set(paid.billed_modifiers) <= set(known.modifiers)


def _code_only(paid: ServicePayment, known: KnownLine) -> bool:
    return paid.code == known.code or paid.billed_code == known.code


def posted_lines(payment: ClaimPayment, claim: KnownClaim) -> list[events.PostedLine]:
    numbers = match_lines(payment.lines, claim)
    return [
        events.PostedLine(
            line_number=number,
            code=line.code,
            billed_code=line.billed_code,
            modifiers=list(line.modifiers),
            charge=line.charge,
            paid=line.paid,
            allowed=line.allowed,
            adjustments=_posted(line.adjustments),
            remarks=line.remarks,
        )  # fmt: skip
        for line, number in zip(payment.lines, numbers, strict=True)
    ]


def _posted(adjustments: Sequence[Adjustment]) -> list[events.PostedAdjustment]:
    return [events.PostedAdjustment(group=a.group, reason=a.reason, amount=a.amount) for a in adjustments]


def allowed(payment: ClaimPayment) -> Decimal | None:
    """The sum of AMT*B6 when every line states it; None otherwise (the payer did not say)."""
    if not payment.lines or any(line.allowed is None for line in payment.lines):
        return None
    return sum((line.allowed for line in payment.lines if line.allowed is not None), Decimal(0))


def posting_events(
    remittance_id: UUID, paid_on: date | None, payment: ClaimPayment, claim: KnownClaim, *, era_payer_id: str
) -> tuple[events.PaymentPosted, list[IntegrationEvent]]:
    """The claim's PaymentPosted, and what else it causes: ClaimReversed, ClaimDenied (claim or lines). The
    payer named is the claim's, unless another payer (a crossover) sent the 835."""
    ids: dict[str, Any] = {
        "tenant_id": claim.tenant_id, "practice_id": claim.practice_id, "remittance_id": remittance_id,
        "claim_id": claim.claim_id, "patient_control_number": claim.patient_control_number,
        "payer_id": era_payer_id[:80] if from_another_payer(payment, claim) else claim.payer_id,
    }  # fmt: skip
    lines = posted_lines(payment, claim)
    result = outcome(payment)
    posted = events.PaymentPosted(
        **ids, payer_claim_number=payment.payer_claim_number or None, claim_status=payment.status, outcome=result,
        charge=payment.charge, paid=payment.paid, allowed=allowed(payment),
        patient_responsibility=payment.patient_responsibility, adjustments=_posted(all_adjustments(payment)),
        remarks=payment.remarks, lines=lines, paid_on=paid_on,
    )  # fmt: skip
    return posted, _consequences(ids, payment, result, lines)


def _consequences(
    ids: dict[str, Any], payment: ClaimPayment, result: str, lines: list[events.PostedLine]
) -> list[IntegrationEvent]:
    if result == "reversed":
        number = payment.payer_claim_number or None
        return [events.ClaimReversed(**ids, payer_claim_number=number, amount=-payment.paid)]
    if result == "denied":  # the whole claim: its adjustments and remarks at both levels, as posted
        remarks = list(dict.fromkeys([*payment.remarks, *(r for line in payment.lines for r in line.remarks)]))
        return [events.ClaimDenied(**ids, level="claim", amount=payment.charge,
                                   adjustments=_posted(all_adjustments(payment)), remarks=remarks)]  # fmt: skip
    if result not in ("paid", "partially_paid"):
        return []
    return [
        events.ClaimDenied(
            **ids,
            level="line",
            line_number=posted.line_number,
            code=posted.code,
            amount=line.charge,
            adjustments=posted.adjustments,
            remarks=posted.remarks,
        )  # fmt: skip
        for line, posted in zip(payment.lines, lines, strict=True)
        if line_denied(line)
    ]
