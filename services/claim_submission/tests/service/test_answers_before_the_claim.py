"""Prior authorization's answer about a visit can come before the visit's claim: AuthorizationExceeded is keyed by
the authorization, the charge by the encounter, so they arrive on different topics in any order. The answer is kept
for the visit and holds its claim when the claim is created, one by one, in a batch or at the same moment; the
claim holds once however often the answer is redelivered. Issue 28: an answer that came first was lost, and the
claim went out with a number the payer would refuse (CO-198)."""

import asyncio
from collections.abc import Callable
from uuid import uuid4

from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import authorization_answers
from claims_testkit import PRACTICE, TENANT, charges, claims_of, handle
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.contracts.prior_authorization import AuthorizationExceeded
from sqlalchemy import text
from test_coverage_holds import captured_in_a_batch

MakeUow = Callable[[], ClaimWork]


def visit(patient: str = "p-6") -> ChargeCaptured:
    """A Medicare session for `patient`, a member of its own (no duplicate of another patient's)."""
    coverage = {"payer_id": "SIMMCR", "member_id": f"1EG4TE5MK{patient[-2:]}", "relationship": "self"}
    return charges(patient={**charges().patient.model_dump(), "external_id": patient}, coverage=coverage)


def exceeded(of: ChargeCaptured, version: int = 1) -> AuthorizationExceeded:
    return AuthorizationExceeded(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        authorization_id=uuid4(),
        patient_ref=of.patient.external_id,
        payer_id="SIMMCR",
        authorization_number="PA-40",
        encounter_id=of.encounter_id,
        version=version,
        service_date=of.service_date,
        codes=["90837"],
        used=0,
        over=1,
        unit="visits",
    )


async def rules(make_uow: MakeUow, of: ChargeCaptured) -> list[tuple[str, list[str]]]:
    return [(c.status, [r["rule"] for r in c.reasons]) for c in await claims_of(make_uow, of.encounter_id)]


async def kept(make_uow: MakeUow) -> int:
    async with make_uow() as uow:
        return int(await uow.session.scalar(text("SELECT count(*) FROM early_answers")) or 0)


async def test_an_answer_before_the_claim_holds_it_when_it_is_created(make_uow: MakeUow) -> None:
    one_by_one, in_a_batch, other_version = visit("p-3"), visit("p-4"), visit("p-5")
    for charge in (one_by_one, in_a_batch):
        await handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded(charge))
        await handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded(charge))  # redelivered
    await handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded(other_version, version=2))
    await handle(make_uow, encounters.on_charge_captured, one_by_one)
    await captured_in_a_batch(make_uow, in_a_batch, other_version)
    for charge in (one_by_one, in_a_batch):
        assert await rules(make_uow, charge) == [("held", ["authorization.exceeded"])]
    assert await rules(make_uow, other_version) == [("ready", [])]  # the answer was about its version 2
    assert await kept(make_uow) == 1  # taken by the claims it held; version 2's waits for its claim
    await handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded(one_by_one))  # again, late
    assert await rules(make_uow, one_by_one) == [("held", ["authorization.exceeded"])]
    assert await kept(make_uow) == 1


async def test_an_answer_applied_while_the_claim_is_created_waits_for_it(make_uow: MakeUow) -> None:
    charge = visit()
    async with make_uow() as first:
        await encounters.on_charge_captured(charge, first)
        second = asyncio.create_task(
            handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded(charge))
        )
        await waiting_for_a_lock(make_uow, second)  # applied beside the creation, it would find no claim
        await first.commit()
    await second
    assert await rules(make_uow, charge) == [("held", ["authorization.exceeded"])]


async def test_a_claim_created_while_the_answer_is_kept_waits_for_it(make_uow: MakeUow) -> None:
    charge = visit()
    async with make_uow() as first:
        await authorization_answers.on_authorization_exceeded(exceeded(charge), first)
        second = asyncio.create_task(handle(make_uow, encounters.on_charge_captured, charge))
        await waiting_for_a_lock(make_uow, second)  # created beside it, the claim would miss the kept answer
        await first.commit()
    await second
    assert await rules(make_uow, charge) == [("held", ["authorization.exceeded"])]
