"""The 835's balancing rules, to the cent (docs/domain/x12.md §7). Pure.

- line: SVC02 − Σ line CAS = SVC03;
- claim: CLP03 − Σ (claim CAS + every line CAS) = CLP04;
- transaction: Σ CLP04 − Σ PLB = BPR02 (BPR03 D: the payee owes, the total counts as negative).

Positive CAS and PLB amounts reduce the payment; negative ones increase it. AMT is informational. A remittance
with any imbalance is held for review with each difference, and nothing of it is posted.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from remittance_posting.model import ClaimPayment, Remittance


@dataclass(frozen=True)
class Imbalance:
    level: Literal["line", "claim", "transaction"]
    position: int  # of the SVC, CLP or BPR that does not balance
    expected: Decimal  # what the rule computes
    stated: Decimal  # what the segment says
    reason: str

    @property
    def difference(self) -> Decimal:
        return self.stated - self.expected

    def as_dict(self) -> dict[str, str | int]:
        return {
            "level": self.level,
            "position": self.position,
            "expected": str(self.expected),
            "stated": str(self.stated),
            "difference": str(self.difference),
            "reason": self.reason,
        }


def imbalances(remittance: Remittance) -> list[Imbalance]:
    found = [problem for claim in remittance.claims for problem in claim_imbalances(claim)]
    paid = sum((claim.paid for claim in remittance.claims), Decimal(0))
    taken = sum((adjustment.amount for adjustment in remittance.provider_adjustments), Decimal(0))
    total = remittance.total if remittance.credit else -remittance.total
    if paid - taken != total:
        found.append(
            Imbalance(
                "transaction",
                remittance.position,
                paid - taken,
                total,
                "BPR02 is not the sum of CLP04 less the PLB amounts",
            )
        )
    return found


def claim_imbalances(claim: ClaimPayment) -> list[Imbalance]:
    found = []
    for line in claim.lines:
        expected = line.charge - sum((a.amount for a in line.adjustments), Decimal(0))
        if expected != line.paid:
            found.append(
                Imbalance("line", line.position, expected, line.paid, "SVC03 is not SVC02 less the line's adjustments")
            )
    adjusted = sum((a.amount for a in claim.adjustments), Decimal(0)) + sum(
        (a.amount for line in claim.lines for a in line.adjustments), Decimal(0)
    )
    if claim.charge - adjusted != claim.paid:
        found.append(
            Imbalance(
                "claim",
                claim.position,
                claim.charge - adjusted,
                claim.paid,
                "CLP04 is not CLP03 less the claim's and its lines' adjustments",
            )
        )
    return found
