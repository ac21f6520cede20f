"""The Good Faith Estimate for a self-pay or uninsured patient, pure: the expected services at the practice's
fees and counts over a period of at most 12 months, each furnished by the estimate's provider or by a co-provider
or co-facility it names; their total and each provider's part; the estimate's rendered lines; and when billed
charges exceed a provider's part enough for the patient to dispute the bill ($400 or more over it: the comparison
is per provider or facility, 45 CFR 149.620(a)), announced once per part by the part's standing (`PartStanding`)."""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import eligibility as contract

DISPUTE_THRESHOLD = Decimal("400.00")
MAX_PERIOD_MONTHS = 12  # an estimate for recurring care covers at most 12 months (45 CFR 149.610)


@dataclass(frozen=True)
class Service:
    code: str  # CPT or HCPCS code number; the label is the practice's own words
    label: str
    fee: Decimal  # the practice's fee for one
    quantity: int  # expected visits or units over the period
    provider_npi: str = ""  # a co-provider or co-facility that furnishes it; "": the estimate's provider

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
    co_providers: tuple[tuple[str, str], ...] = ()  # (NPI, name) of each co-provider or co-facility

    @property
    def total(self) -> Decimal:
        return sum((s.amount for s in self.services), Decimal(0))

    def parts(self) -> dict[str, Decimal]:
        """Each provider's or facility's part of the estimate, by NPI: what a patient's dispute compares with."""
        found: dict[str, Decimal] = {}
        for s in self.services:
            npi = s.provider_npi or self.provider_npi
            found[npi] = found.get(npi, Decimal(0)) + s.amount
        return found


def part_for(parts: dict[str, Decimal], *, rendering_npi: str | None, billing_npi: str) -> str | None:
    """The part a charge counts against: its rendering provider's, else its billing provider's; None when the
    estimate names neither (the charge is not this estimate's)."""
    for npi in (rendering_npi, billing_npi):
        if npi and npi in parts:
            return npi
    return None


def period_too_long(period_from: date, period_to: date) -> bool:
    """Whether the period reaches 12 months after its first day (from 2026-12-01, 2027-11-30 is its last)."""
    months = period_from.month - 1 + MAX_PERIOD_MONTHS
    year, month = period_from.year + months // 12, months % 12 + 1
    day = min(period_from.day, calendar.monthrange(year, month)[1])
    return period_to >= date(year, month, day)


def exceeded_by(estimated: Decimal, billed: Decimal) -> Decimal | None:
    """How far billed charges exceed the estimate, when by the dispute threshold or more; else None."""
    excess = billed - estimated
    return excess if excess >= DISPUTE_THRESHOLD else None


@dataclass
class PartStanding:
    """One provider's or facility's part of a patient's estimate as billed so far: what it estimated, what is billed
    against it, and whether it was announced exceeded. An exceeded part records GoodFaithEstimateExceeded once; the
    handler takes the event (`take_events`), publishes it and marks the part announced in the same transaction."""

    tenant_id: UUID
    practice_id: UUID
    estimate_id: UUID
    patient_ref: str
    provider_npi: str  # the part's provider or facility
    estimated: Decimal
    billed: Decimal
    announced: bool = False
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def compare(self) -> None:
        """GoodFaithEstimateExceeded when the billed charges exceed the part by the dispute threshold or more, unless
        it was announced already."""
        excess = exceeded_by(self.estimated, self.billed)
        if excess is None or self.announced:
            return
        self.announced = True
        self.events.append(
            contract.GoodFaithEstimateExceeded(
                tenant_id=self.tenant_id,
                practice_id=self.practice_id,
                estimate_id=self.estimate_id,
                patient_ref=self.patient_ref,
                estimated=self.estimated,
                billed=self.billed,
                excess=excess,
                provider_npi=self.provider_npi,
            )
        )


def estimate_lines(e: Estimate) -> list[str]:
    """The estimate as a document, in our own words."""
    names = {e.provider_npi: e.provider_name, **dict(e.co_providers)}
    parts = e.parts()
    by_provider = [f"- {names.get(npi, npi)} (NPI {npi}): {part:.2f}" for npi, part in parts.items()]
    return [
        "Good Faith Estimate",
        f"Issued: {e.issued_on.isoformat()}",
        f"Patient: {e.patient_name}, born {e.birth_date.isoformat()}",
        f"Provider: {e.provider_name} (NPI {e.provider_npi})",
        *(f"Co-provider or co-facility: {name} (NPI {npi})" for npi, name in e.co_providers),
        f"Period: {e.period_from.isoformat()} to {e.period_to.isoformat()}",
        "",
        "Expected services:",
        *(f"- {s.code} {s.label}: {s.quantity} x {s.fee:.2f} = {s.amount:.2f}" for s in e.services),
        "",
        *(["By provider or facility:", *by_provider, ""] if len(parts) > 1 else []),
        f"Estimated total: {e.total:.2f}",
        "",
        "This is an estimate of what you will be charged if you pay for these services yourself. Your actual",
        "charges may differ. If a provider or facility bills you $400.00 or more above its part of this estimate,",
        "you may dispute the bill. Keep this estimate with your records.",
    ]
