"""An approval and the claim it covers, applied at once: they come on different partitions (prior authorization's
topic, charge capture's), so two transactions take them together. Whichever comes second must see the first, or
the claim is held for the authorization with its approval on file, for good (seen: a manual authorization entered a
moment before the visit). So must a requirement that arrives after the approval that answers it."""

import asyncio
from collections.abc import Callable

from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import authorization_answers
from claims_testkit import PRACTICE, TENANT, charges, claims_of, handle
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.contracts.prior_authorization import AuthorizationRequired
from test_authorization_link import approved, assessment_visit


async def test_a_claim_created_while_its_approval_is_applied_carries_the_number(
    make_uow: Callable[[], ClaimWork],
) -> None:
    visit = assessment_visit()
    async with make_uow() as first:
        await authorization_answers.on_authorization_approved(approved("PA-41"), first)
        second = asyncio.create_task(handle(make_uow, encounters.on_charge_captured, visit))
        await waiting_for_a_lock(make_uow, second)  # billed beside the approval, the claim would miss it here
        await first.commit()
    await second
    (claim,) = await claims_of(make_uow, visit.encounter_id)
    assert (claim.status, claim.content["prior_authorization_number"], claim.reasons) == ("ready", "PA-41", [])


async def test_an_approval_applied_while_its_claim_is_created_bills_the_held_claim_anew(
    make_uow: Callable[[], ClaimWork],
) -> None:
    visit = assessment_visit()
    async with make_uow() as first:
        await encounters.on_charge_captured(visit, first)  # held: the payer wants an authorization for testing
        second = asyncio.create_task(handle(make_uow, authorization_answers.on_authorization_approved, approved()))
        await waiting_for_a_lock(make_uow, second)  # applied beside the claim, the approval would miss it here
        await first.commit()
    await second
    held, billed = await claims_of(make_uow, visit.encounter_id)
    assert [r["rule"] for r in held.reasons] == ["authorization.missing"] and held.status == "voided"
    assert (billed.status, billed.content["prior_authorization_number"]) == ("ready", "PA-77")


async def test_a_requirement_arriving_after_the_approval_that_answers_it_bills_the_claim_with_the_number(
    make_uow: Callable[[], ClaimWork],
) -> None:
    """Prior authorization counted the visit before the authorization was entered (AuthorizationRequired), then
    announced the approval; the approval's partition is applied first, while the claim is ready and not held."""
    visit = charges(patient={**charges().patient.model_dump(), "external_id": "p-1"})  # Medicare therapy: ready
    await handle(make_uow, encounters.on_charge_captured, visit)
    approval = approved("PA-55").model_copy(update={"payer_id": "SIMMCR", "codes": ["90837"]})
    await handle(make_uow, authorization_answers.on_authorization_approved, approval)
    (ready,) = await claims_of(make_uow, visit.encounter_id)
    assert ready.status == "ready" and ready.content.get("prior_authorization_number") is None
    required = AuthorizationRequired(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        encounter_id=visit.encounter_id,
        version=1,
        patient_ref="p-1",
        payer_id="SIMMCR",
        service_date=visit.service_date,
        codes=["90837"],
        visits_this_year=30,
    )
    await handle(make_uow, authorization_answers.on_authorization_required, required)
    voided, billed = await claims_of(make_uow, visit.encounter_id)
    assert (voided.status, billed.status, billed.content["prior_authorization_number"]) == ("voided", "ready", "PA-55")
    assert "authorization.required" not in [r["rule"] for r in billed.reasons]
