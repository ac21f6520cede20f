"""The Good Faith Estimate for a self-pay or uninsured patient, pure: the expected services at the practice's
fees and counts, their total, the estimate's rendered lines, and when billed charges exceed it enough for the
patient to dispute the bill ($400 or more over the estimate)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

DISPUTE_THRESHOLD = Decimal("400.00")


@dataclass(frozen=True)
class Service:
    code: str  # CPT or HCPCS code number; the label is the practice's own words
    label: str
    fee: Decimal  # the practice's fee for one
    quantity: int  # expected visits or units over the period

    @property
    def amount(self) -> Decimal:
        return self.fee * self.quantity


@dataclass(frozen=True)
class Estimate:
    patient_ref: str
    patient_name: str
    birth_date: date
    provider_name: str
    provider_npi: str
    period_from: date
    period_to: date
    services: tuple[Service, ...]
    issued_on: date

    @property
    def total(self) -> Decimal:
        return sum((s.amount for s in self.services), Decimal(0))


def exceeded_by(estimated: Decimal, billed: Decimal) -> Decimal | None:
    """How far billed charges exceed the estimate, when by the dispute threshold or more; else None."""
    excess = billed - estimated
    return excess if excess >= DISPUTE_THRESHOLD else None


def estimate_lines(e: Estimate) -> list[str]:
    """The estimate as a document, in our own words."""
    return [
        "Good Faith Estimate",
        f"Issued: {e.issued_on.isoformat()}",
        f"Patient: {e.patient_name}, born {e.birth_date.isoformat()}",
        f"Provider: {e.provider_name} (NPI {e.provider_npi})",
        f"Period: {e.period_from.isoformat()} to {e.period_to.isoformat()}",
        "",
        "Expected services:",
        *(f"- {s.code} {s.label}: {s.quantity} x {s.fee:.2f} = {s.amount:.2f}" for s in e.services),
        "",
        f"Estimated total: {e.total:.2f}",
        "",
        "This is an estimate of what you will be charged if you pay for these services yourself. Your actual",
        "charges may differ. If you are billed $400.00 or more above this estimate, you may dispute the bill.",
        "Keep this estimate with your records.",
    ]
