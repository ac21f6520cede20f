"""What a payer's adjudication works with and decides: the member's benefits in; each line's allowed amount,
payment, adjustments (group and CARC) and remarks (RARC) out. Every line balances: charge - adjustments = paid.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from claimstream_platform.x12.p837 import Line

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Member:
    coverage_start: date
    coverage_end: date | None
    deductible: Decimal
    deductible_met: Decimal
    coinsurance: Decimal
    copay: Decimal
    visits_used: int
    remittance: str = "electronic"  # or "paper": adjudicated, paid by check, no 835

    def covered_on(self, day: date) -> bool:
        return self.coverage_start <= day and (self.coverage_end is None or day <= self.coverage_end)


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO contractual obligation, PR patient responsibility, OA other
    reason: str  # CARC
    amount: Decimal  # negative only where money is added (CO-144 an incentive) or in a reversal


@dataclass
class LineResult:
    line: Line
    allowed: Decimal = ZERO
    paid: Decimal = ZERO
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # RARC
    paid_code: str | None = None  # the code the payer paid, when not the one billed (downcoding)

    def deny(self, group: str, reason: str, remark: str | None = None) -> None:
        self.adjustments = [Adjustment(group, reason, self.line.charge)]
        self.remarks = [remark] if remark else []
        self.allowed = self.paid = ZERO

    def adjust(self, group: str, reason: str, amount: Decimal, remark: str | None = None) -> None:
        """Take `amount` off the payment (a negative amount adds to it), keeping the line balanced."""
        self.adjustments.append(Adjustment(group, reason, amount))
        self.paid -= amount
        if remark and remark not in self.remarks:
            self.remarks.append(remark)


@dataclass
class Adjudication:
    status: str  # CLP02: 1 processed as primary, 2 secondary, 3 tertiary, 19 forwarded, 22 a reversal
    lines: list[LineResult]
    deductible_applied: Decimal = ZERO
    visit_counted: bool = False
    crossover: tuple[str, str] | None = None  # (payer id, name): forwarded to it (CLP02 19, NM1*TT, MOA MA18)

    @property
    def charge(self) -> Decimal:
        return sum((r.line.charge for r in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.lines), ZERO)

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for r in self.lines for a in r.adjustments if a.group == "PR"), ZERO)

    @property
    def denied(self) -> bool:
        """Nothing allowed on any line: the payer denied the whole claim (a claim whose allowed amount went to the
        deductible was allowed, and is not denied)."""
        return bool(self.lines) and all(r.allowed == 0 for r in self.lines) and self.status != "22"


def reversal(original: Adjudication) -> Adjudication:
    """The payer takes a payment back (CLP02 22): every amount negated, so the new 835 still balances."""
    lines = [
        LineResult(
            line=r.line.model_copy(update={"charge": -r.line.charge}),
            allowed=-r.allowed,
            paid=-r.paid,
            adjustments=[Adjustment(a.group, a.reason, -a.amount) for a in r.adjustments],
            remarks=list(r.remarks),
            paid_code=r.paid_code,
        )
        for r in original.lines
    ]
    return Adjudication("22", lines)


# --- adjudications as JSON (stored with the claim, read back to reverse it or to take money back from it) ---


def adjudication_to_json(result: Adjudication) -> dict[str, Any]:
    return {
        "status": result.status,
        "crossover": list(result.crossover) if result.crossover else None,
        "lines": [
            {
                "line": r.line.model_dump(mode="json"),
                "allowed": str(r.allowed),
                "paid": str(r.paid),
                "adjustments": [[a.group, a.reason, str(a.amount)] for a in r.adjustments],
                "remarks": r.remarks,
                "paid_code": r.paid_code,
            }
            for r in result.lines
        ],
    }


def adjudication_from_json(data: Mapping[str, Any]) -> Adjudication:
    return Adjudication(
        data["status"],
        [
            LineResult(
                line=Line.model_validate(item["line"]),
                allowed=Decimal(item["allowed"]),
                paid=Decimal(item["paid"]),
                adjustments=[Adjustment(g, r, Decimal(a)) for g, r, a in item["adjustments"]],
                remarks=list(item["remarks"]),
                paid_code=item.get("paid_code"),
            )
            for item in data["lines"]
        ],
        crossover=tuple(data["crossover"]) if data.get("crossover") else None,
    )
