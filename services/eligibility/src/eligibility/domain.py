"""The eligibility check, pure: one question to one payer about one patient's coverage on a date, and the
events its answer gives.

A check is `pending` until the payer answers; then `active`, `inactive` or `failed` (the payer could not answer:
AAA). A check's answer never changes; a new question is a new check (the freshness window decides when one is
asked again, per payer).
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import eligibility as events

from eligibility.accumulators import Accumulator
from eligibility.benefits import Summary


@dataclass(frozen=True)
class Patient:
    external_id: str  # the practice's patient id: what events name (patient_ref)
    first_name: str
    last_name: str
    birth_date: date


@dataclass
class Check:
    tenant_id: UUID
    practice_id: UUID
    patient: Patient
    payer_id: str
    member_id: str
    service_date: date
    service_types: tuple[str, ...]
    provider_npi: str
    provider_name: str
    id: UUID = field(default_factory=uuid4)
    status: str = "pending"
    summary: Summary | None = None

    @property
    def trace(self) -> str:
        """TRN02 of our 270: the check's id without dashes, which the payer echoes in its 271."""
        return self.id.hex[:30].upper()

    def answered(self, summary: Summary) -> list[IntegrationEvent]:
        """Record the payer's answer; the events it gives."""
        if self.status != "pending":
            raise ValueError(f"a {self.status} check has its answer")
        self.status, self.summary = summary.status, summary
        return answer_events(self, summary)

    def administrators_check(self) -> "Check | None":
        """A carve-out's answer names the company that runs the mental-health benefits: the same question goes
        to it (its 271 says what the patient owes there, and whether its coverage is active)."""
        administrator = self.summary.administered_by if self.summary else None
        if not administrator or administrator == self.payer_id:
            return None
        return replace(self, id=uuid4(), payer_id=administrator, status="pending", summary=None)


def answer_events(check: Check, summary: Summary) -> list[IntegrationEvent]:
    ids = {"tenant_id": check.tenant_id, "practice_id": check.practice_id, "check_id": check.id,
           "patient_ref": check.patient.external_id, "payer_id": check.payer_id,
           "service_date": check.service_date}  # fmt: skip
    if summary.status == "failed":
        return [events.EligibilityCheckFailed(**ids, reason=summary.rejection or "", follow_up=summary.follow_up or "",
                                              retry=summary.retry)]  # fmt: skip
    if summary.status == "inactive":
        return [events.CoverageInactive(**ids)]
    found: list[IntegrationEvent] = [_verified(ids, summary)]
    if summary.administered_by:  # routed: claims follow it (a carve-out left to a person publishes none)
        found.append(events.CoverageCarvedOut(**ids, administered_by=summary.administered_by,
                                              administrator_name=summary.administrator_name or ""))  # fmt: skip
    return found


def _verified(ids: dict[str, Any], summary: Summary) -> events.EligibilityVerified:
    def left(accumulator: Accumulator | None) -> Decimal | None:
        return accumulator.left if accumulator else None

    return events.EligibilityVerified(
        **ids,
        bill_payer_id=summary.bill_payer_id,
        copay=summary.copay,
        coinsurance=summary.coinsurance,
        deductible_remaining=summary.deductible_remaining,
        out_of_pocket_remaining=summary.out_of_pocket_remaining,
        visits_allowed=summary.visits_allowed,
        visits_remaining=summary.visits_remaining,
        visit_limit_from_text=summary.visit_limit_from_text,
        authorization_required=summary.authorization_required,
        in_network=summary.in_network,
        next_visit_cost=summary.next_visit_cost,
        deductible_individual_remaining=left(summary.deductible_individual),
        deductible_family_remaining=left(summary.deductible_family),
        out_of_pocket_individual_remaining=left(summary.out_of_pocket_individual),
        out_of_pocket_family_remaining=left(summary.out_of_pocket_family),
        visits_used=summary.visits_used,
        carve_out_to_route=summary.carve_out_to_route,
    )
