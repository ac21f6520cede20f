"""A practice's own payer facts (charge capture's `PayerFactsOverridden`) apply to its claims and no one else's:
a practice whose contract with the Blue plan gives 180 days to file gets a 150-day-old claim through, while
another practice's same claim is held for timely filing (ours: 120 days); withdrawing the override restores the
hold, and a held claim released after an override is scrubbed with it. On real PostgreSQL."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from claim_submission import handlers
from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import practice_facts, release
from claims_testkit import PRACTICE, PRACTICE_AS_BILLER, TENANT, charges, claims_of, handle
from claimstream_platform.contracts.charge_capture import ChargeCaptured, PayerFactsOverridden
from claimstream_platform.dates import business_date

OTHER_PRACTICE = UUID("00000000-0000-0000-0000-0000000000b2")
BLUE = {"payer_id": "SIMBCX", "name": "Simulated Blue", "kind": "commercial", "claim_filing_indicator": "BL"}
BLUE_COVERAGE = {"payer_id": "SIMBCX", "member_id": "XBC100200", "relationship": "self"}
SERVED = business_date() - timedelta(days=150)  # past our 120 days, within the contract's 180


def overridden(practice: UUID, facts: dict[str, Any]) -> PayerFactsOverridden:
    return PayerFactsOverridden(
        tenant_id=TENANT,
        practice_id=practice,
        payer_id="SIMBCX",
        effective_from=SERVED - timedelta(days=365),
        facts=facts,
    )


def blue_claim(practice: UUID, patient: str) -> ChargeCaptured:
    """A 150-day-old session billed to the Blue plan by `practice`, for its own patient."""
    base = charges()
    return charges(
        practice_id=practice,
        service_date=SERVED,
        payer=BLUE,
        coverage={**BLUE_COVERAGE, "member_id": f"XBC{patient}"},
        patient={**base.patient.model_dump(), "external_id": patient},
        billing_provider={**PRACTICE_AS_BILLER, "practice_id": practice},
    )


async def status_of(make_uow: Callable[[], ClaimWork], event: ChargeCaptured) -> tuple[str, list[str]]:
    await handle(make_uow, encounters.on_charge_captured, event)
    (claim,) = await claims_of(make_uow, event.encounter_id)
    return claim.status, [reason["rule"] for reason in claim.reasons]


async def test_a_practices_own_timely_filing_lets_its_claim_go_and_only_its_own(
    make_uow: Callable[[], ClaimWork],
) -> None:
    await handle(
        make_uow, practice_facts.on_payer_facts_overridden, overridden(PRACTICE, {"timely_filing": "180 days"})
    )
    assert await status_of(make_uow, blue_claim(PRACTICE, "p-1")) == ("ready", [])
    held = ("held", ["timely-filing.expired"])
    assert await status_of(make_uow, blue_claim(OTHER_PRACTICE, "p-2")) == held
    await handle(make_uow, practice_facts.on_payer_facts_overridden, overridden(PRACTICE, {}))  # withdrawn
    assert await status_of(make_uow, blue_claim(PRACTICE, "p-3")) == held


async def test_a_held_claim_released_after_an_override_is_scrubbed_with_it(
    make_uow: Callable[[], ClaimWork],
) -> None:
    late = blue_claim(OTHER_PRACTICE, "p-4")
    assert await status_of(make_uow, late) == ("held", ["timely-filing.expired"])
    contract = overridden(OTHER_PRACTICE, {"timely_filing": "180 days"})
    await handle(make_uow, practice_facts.on_payer_facts_overridden, contract)
    (claim,) = await claims_of(make_uow, late.encounter_id)
    async with make_uow() as uow:
        locked = await handlers.locked_claim(uow, TENANT, claim.id)
        remaining = await release.release(uow, locked, acknowledged=[], today=business_date())
        await uow.commit()
    assert remaining == []
    (released,) = await claims_of(make_uow, late.encounter_id)
    assert released.status == "ready"
