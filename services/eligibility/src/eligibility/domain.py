"""The eligibility check, pure: one question to one payer about one patient's coverage on a date, and the
events its answer gives.

A check is `pending` until the payer answers; then `active`, `inactive` or `failed` (the payer could not answer:
AAA). A check's answer never changes; a new question is a new check (the freshness window decides when one is
asked again, per payer). The answer records its events on the check; the handler takes them (`take_events`) and
publishes them in the same transaction.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import eligibility as contract

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
    events: list[IntegrationEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def trace(self) -> str:
        """TRN02 of our 270: the check's id without dashes, which the payer echoes in its 271."""
        return self.id.hex[:30].upper()

    def answered(self, summary: Summary) -> None:
        """Record the payer's answer and the events it gives."""
        if self.status != "pending":
            raise ValueError(f"a {self.status} check has its answer")
        self.status, self.summary = summary.status, summary
        self.events += _answer_events(self, summary)

    def take_events(self) -> list[IntegrationEvent]:
        taken, self.events = self.events, []
        return taken

    def administrators_check(self) -> "Check | None":
        """A carve-out's answer names the company that runs the mental-health benefits: the same question goes
        to it (its 271 says what the patient owes there, and whether its coverage is active)."""
        administrator = self.summary.administered_by if self.summary else None
        if not administrator or administrator == self.payer_id:
            return None
        return replace(self, id=uuid4(), payer_id=administrator, status="pending", summary=None, events=[])


def _answer_events(check: Check, summary: Summary) -> list[IntegrationEvent]:
    ids = {
        "tenant_id": check.tenant_id,
        "practice_id": check.practice_id,
        "check_id": check.id,
        "patient_ref": check.patient.external_id,
        "payer_id": check.payer_id,
        "service_date": check.service_date,
    }
    if summary.status == "failed":
        reason, follow_up = summary.rejection or "", summary.follow_up or ""
        return [contract.EligibilityCheckFailed(**ids, reason=reason, follow_up=follow_up, retry=summary.retry)]
    if summary.status == "inactive":
        return [contract.CoverageInactive(**ids)]
    found: list[IntegrationEvent] = [_verified(ids, summary)]
    if summary.administered_by:  # routed: claims follow it (a carve-out left to a person publishes none)
        name = summary.administrator_name or ""
        found.append(
            contract.CoverageCarvedOut(**ids, administered_by=summary.administered_by, administrator_name=name)
        )
    return found


def _verified(ids: dict[str, Any], summary: Summary) -> contract.EligibilityVerified:
    def left(accumulator: Accumulator | None) -> Decimal | None:
        return accumulator.left if accumulator else None

    return contract.EligibilityVerified(
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
