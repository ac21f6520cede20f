"""Payment variance: what no denial shows. A paid line allowed below the contract rate by more than the
tolerance is underpaid; a line the payer paid as another code (SVC06 names the code billed) is downcoded. Pure.

The expected amount is the contract rate of the code billed (with its modifiers, else the code alone) in force on
the date of service, times the units paid. The allowed amount is AMT*B6, else what was paid plus what the patient
owes (PR): what the payer allowed for the line.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from remittance_posting.known import KnownClaim
from remittance_posting.matching import match_lines
from remittance_posting.model import ClaimPayment, ServicePayment

RateKey = tuple[str, str]  # code, modifiers joined sorted with ":"
TOLERANCE = Decimal("1.00")  # an allowed amount this far below the contract rate is rounding, not an underpayment


def rate_key(code: str, modifiers: tuple[str, ...] | list[str]) -> RateKey:
    return code, ":".join(sorted(modifiers))


def in_force(versions: Sequence[tuple[RateKey, date, Decimal]], on: date) -> dict[RateKey, Decimal]:
    """Each code's rate on `on`: of its versions (ordered by effective date), the latest effective not after it."""
    return {key: amount for key, effective_from, amount in versions if effective_from <= on}


@dataclass(frozen=True)
class Variance:
    line_number: int | None
    code: str  # the code billed
    paid_code: str  # the code paid (differs when downcoded)
    kind: Literal["underpaid", "downcoded"]
    expected: Decimal | None  # the contract amount; None when no rate is on file (a downcode is still one)
    allowed: Decimal
    reasons: tuple[str, ...]  # the line's group-CARC pairs, as the payer gave them

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected is None else self.expected - self.allowed


def line_allowed(line: ServicePayment) -> Decimal:
    if line.allowed is not None:
        return line.allowed
    return line.paid + sum((a.amount for a in line.adjustments if a.group == "PR"), Decimal(0))


def variances(
    payment: ClaimPayment, claim: KnownClaim, outcome: str, rates: Mapping[RateKey, Decimal], tolerance: Decimal
) -> list[Variance]:
    """The variance items of a paid claim's lines (none for denials, reversals and crossovers)."""
    if outcome not in ("paid", "partially_paid"):
        return []
    known = {line.line_number: line for line in claim.lines}
    found = []
    for line, number in zip(payment.lines, match_lines(payment.lines, claim), strict=True):
        billed = known.get(number) if number is not None else None
        code = billed.code if billed else (line.billed_code or line.code)
        modifiers = billed.modifiers if billed else line.modifiers
        rate = rates.get(rate_key(code, modifiers), rates.get(rate_key(code, ())))
        units = line.units_paid if line.units_paid and line.units_paid > 0 else Decimal(1)
        expected = rate * units if rate is not None else None
        allowed = line_allowed(line)
        reasons = tuple(f"{a.group}-{a.reason}" for a in line.adjustments)
        if line.paid > 0 and line.billed_code is not None and line.billed_code != line.code:
            found.append(Variance(number, code, line.code, "downcoded", expected, allowed, reasons))
        elif line.paid > 0 and expected is not None and expected - allowed > tolerance:
            found.append(Variance(number, code, line.code, "underpaid", expected, allowed, reasons))
    return found
