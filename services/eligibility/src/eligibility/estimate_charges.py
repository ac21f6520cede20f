"""Captured charges against the patient's Good Faith Estimates. A charge counts against the part of each estimate
covering its date of service that belongs to its rendering provider, else to its billing provider; an estimate
that names neither does not count it. A part billed $400 or more above it is announced, once (45 CFR 149.620(a):
the comparison is per provider or facility)."""

from decimal import Decimal

from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided

from eligibility.estimate import PartStanding, part_for
from eligibility.repository import EligibilityWork


async def billed(uow: EligibilityWork, event: ChargeCaptured | ChargeVoided) -> None:
    """The encounter's charge (a voided one: none) in the part of each estimate covering it."""
    if event.practice_id is None:
        return
    captured = event if isinstance(event, ChargeCaptured) else None
    patient_ref = captured.patient.external_id if captured else await uow.estimates.patient_of(event.encounter_id)
    if patient_ref is None:
        return
    covering = await uow.estimates.covering(event.tenant_id, event.practice_id, patient_ref, event.service_date)
    for estimate_id, estimate in covering:
        parts = estimate.parts()
        part = _part(captured, parts)
        amount = captured.total_amount if captured else None
        await uow.estimates.record_charge(estimate_id, event.encounter_id, part, amount)
        if part is None:
            continue
        total, announced = await uow.estimates.part_standing(estimate_id, part)
        standing = PartStanding(
            event.tenant_id, event.practice_id, estimate_id, patient_ref, part, parts[part], total, announced
        )
        standing.compare()
        await _publish(uow, standing)


async def _publish(uow: EligibilityWork, standing: PartStanding) -> None:
    """Publish what the part's standing recorded; an announced excess marks the part, so it is announced once."""
    if uow.publish_recorded(standing):
        await uow.estimates.mark_exceeded(standing.estimate_id, standing.provider_npi)


def _part(captured: ChargeCaptured | None, parts: dict[str, Decimal]) -> str | None:
    if captured is None:
        return None
    rendering = captured.rendering_provider.npi
    return part_for(parts, rendering_npi=rendering, billing_npi=captured.billing_provider.npi)
