"""Eligibility's answers hold claims for coverage the payer called inactive: a claim created after the answer is
held at once, and the visit's claim that has not gone out yet is held when the answer comes after it; another
patient's claim, and claims after an answer that the coverage is active, go."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import eligibility_answers
from claims_testkit import PATIENT, PRACTICE, RECENT, TENANT, charges, claims_of, events, handle
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.contracts.eligibility import CoverageCarvedOut, CoverageInactive, EligibilityVerified
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from sqlalchemy import text


def answer(kind: type, patient: str = "p-1", day: object = RECENT) -> object:
    ids = {
        "tenant_id": TENANT,
        "practice_id": PRACTICE,
        "check_id": uuid4(),
        "patient_ref": patient,
        "payer_id": "SIMMCR",
        "service_date": day,
    }
    if kind is CoverageInactive:
        return CoverageInactive(**ids)  # type: ignore[arg-type]
    return EligibilityVerified(
        **ids,
        bill_payer_id="SIMMCR",
        copay=Decimal(0),
        coinsurance=None,  # type: ignore[arg-type]
        deductible_remaining=None,
        out_of_pocket_remaining=None,
        visits_allowed=None,
        visits_remaining=None,
        visit_limit_from_text=False,
        authorization_required=None,
        in_network=True,
        next_visit_cost=Decimal(0),
    )


async def captured_in_a_batch(make_uow: Callable[[], ClaimWork], *events_: object) -> None:
    meta = EventMetadata(event_id=uuid4(), source="charge-capture", time=datetime.now(UTC), correlation_id=uuid4())
    async with make_uow() as uow:
        await encounters.on_charges_captured([DecodedEvent(e, meta) for e in events_], uow)  # type: ignore[arg-type]
        await uow.commit()


async def test_a_claim_after_an_inactive_answer_is_held_and_one_before_it_is_held_if_not_sent(
    make_uow: Callable[[], ClaimWork],
) -> None:
    waiting = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, waiting)  # the claim is ready, not sent yet
    await handle(make_uow, eligibility_answers.on_coverage_inactive, answer(CoverageInactive))
    (held_after,) = await claims_of(make_uow, waiting.encounter_id)
    assert held_after.status == "held" and [r["rule"] for r in held_after.reasons] == ["eligibility.coverage-inactive"]
    later = charges(
        service_date=RECENT,
        lines=[{**waiting.lines[0].model_dump(), "code": "90834", "amount": Decimal("140")}],
        total_amount=Decimal("140"),
    )
    other = charges(
        service_date=RECENT,
        patient={**waiting.patient.model_dump(), "external_id": "p-2"},
        coverage={**waiting.coverage.model_dump(), "member_id": "2FH5UF6NL84"},
    )
    await captured_in_a_batch(make_uow, later, other)
    (held_at_once,) = await claims_of(make_uow, later.encounter_id)
    (goes,) = await claims_of(make_uow, other.encounter_id)
    assert (held_at_once.status, goes.status, goes.reasons) == ("held", "ready", [])
    assert [r["rule"] for r in held_at_once.reasons] == ["eligibility.coverage-inactive"]
    assert [kind for kind, _ in await events(make_uow)].count("held") == 2


async def test_an_active_answer_after_an_inactive_one_lets_the_next_claim_go(
    make_uow: Callable[[], ClaimWork],
) -> None:
    day = RECENT - timedelta(days=1)
    await handle(make_uow, eligibility_answers.on_coverage_inactive, answer(CoverageInactive, day=day))
    await handle(make_uow, eligibility_answers.on_eligibility_verified, answer(EligibilityVerified, day=day))
    visit = charges(service_date=day)
    await handle(make_uow, encounters.on_charge_captured, visit)
    (claim,) = await claims_of(make_uow, visit.encounter_id)
    assert claim.status == "ready"


def carved_out(administrator: str = "SIMBHO", patient: str = "p-1") -> CoverageCarvedOut:
    return CoverageCarvedOut(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        check_id=uuid4(),
        patient_ref=patient,
        payer_id="SIMMCR",
        service_date=RECENT,
        administered_by=administrator,
        administrator_name="Simulated Behavioral Health",
    )


async def test_a_carve_out_bills_the_administrator_for_claims_not_sent_and_the_ones_after(
    make_uow: Callable[[], ClaimWork],
) -> None:
    waiting = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, waiting)
    await handle(make_uow, eligibility_answers.on_coverage_carved_out, carved_out())
    await handle(make_uow, eligibility_answers.on_coverage_carved_out, carved_out())  # redelivered: no third claim
    voided, rebilled = await claims_of(make_uow, waiting.encounter_id)
    assert (voided.status, voided.payer_id) == ("voided", "SIMMCR")
    assert (rebilled.status, rebilled.payer_id, rebilled.frequency) == ("ready", "SIMBHO", "1")
    payer = rebilled.content["payer"]
    assert (payer["name"], payer["claim_filing_indicator"]) == ("Simulated Behavioral Health", "MB")
    assert rebilled.content["coverage"]["member_id"] == waiting.coverage.member_id
    later, other = charges(service_date=RECENT), charges(patient={**waiting.patient.model_dump(), "external_id": "p-2"})
    await captured_in_a_batch(make_uow, later, other)
    one_by_one = charges(service_date=RECENT - timedelta(days=1))
    await handle(make_uow, encounters.on_charge_captured, one_by_one)
    assert [c.payer_id for e in (later, other, one_by_one) for c in await claims_of(make_uow, e.encounter_id)] == [
        "SIMBHO",
        "SIMMCR",
        "SIMBHO",
    ]
    kinds = [
        kind for kind, payload in await events(make_uow) if payload.get("encounter_id") == str(waiting.encounter_id)
    ]
    assert kinds == ["created", "voided", "created"]


async def test_the_plan_answering_for_mental_health_again_ends_the_carve_out(
    make_uow: Callable[[], ClaimWork],
) -> None:
    await handle(make_uow, eligibility_answers.on_coverage_carved_out, carved_out())
    await handle(make_uow, eligibility_answers.on_eligibility_verified, answer(EligibilityVerified))
    visit = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, visit)
    (claim,) = await claims_of(make_uow, visit.encounter_id)
    assert claim.payer_id == "SIMMCR"


async def test_a_carve_out_named_by_no_payer_id_holds_the_plans_claims_for_a_person(
    make_uow: Callable[[], ClaimWork],
) -> None:
    waiting = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, waiting)
    unrouted = answer(EligibilityVerified).model_copy(  # type: ignore[attr-defined]
        update={"bill_payer_id": "", "carve_out_to_route": "BRIGHT MINDS BEHAVIORAL (NPI 1234567893)"}
    )
    await handle(make_uow, eligibility_answers.on_eligibility_verified, unrouted)
    await handle(make_uow, eligibility_answers.on_eligibility_verified, unrouted)  # redelivered: held once
    (claim,) = await claims_of(make_uow, waiting.encounter_id)
    assert (claim.status, claim.payer_id) == ("held", "SIMMCR")  # never billed to an NPI or a name as a payer id
    assert [r["rule"] for r in claim.reasons] == ["coverage.carve_out_unrouted"]


async def test_an_inactive_answer_applied_while_its_claim_is_created_holds_the_claim(
    make_uow: Callable[[], ClaimWork],
) -> None:
    """The answer and the claim come on different partitions: applied at once, the answer once missed the claim (not
    committed yet) and the claim missed the answer (not committed yet), and the claim went out. Now the answer waits
    for the claim's transaction, then holds it."""
    visit = charges(service_date=RECENT)
    async with make_uow() as first:
        await encounters.on_charge_captured(visit, first)  # ready: no answer on file yet
        second = asyncio.create_task(
            handle(make_uow, eligibility_answers.on_coverage_inactive, answer(CoverageInactive))
        )
        await waiting_for_a_lock(make_uow, second)  # applied beside the claim, the answer would miss it here
        await first.commit()
    await second
    (claim,) = await claims_of(make_uow, visit.encounter_id)
    assert claim.status == "held" and [r["rule"] for r in claim.reasons] == ["eligibility.coverage-inactive"]


HELD_BY = "SELECT causation_id FROM outbox WHERE event_type = 'claimstream.claim.held.v1' AND causation_id = ANY(:ids)"
DAYS = [RECENT - timedelta(days=n) for n in (40, 41, 42)]


async def test_a_run_of_answers_that_coverage_is_active_leaves_what_one_at_a_time_leaves(
    make_uow: Callable[[], ClaimWork],
) -> None:
    """Issue 33: a partition's EligibilityVerified come as a run, two statements for it: the plan answering for mental
    health again ends its carve-out, a coverage answered twice in the run is recorded once and lets its visits go,
    and a carve-out to route holds its plan's claim not sent yet, once. (A day each: the patients share a name and a
    birth date, and a claim of the same date would be held as a duplicate.)"""
    await handle(make_uow, eligibility_answers.on_coverage_carved_out, carved_out(patient="r-1"))  # r-1's plan
    await handle(make_uow, eligibility_answers.on_coverage_inactive, answer(CoverageInactive, "r-2", DAYS[1]))
    waiting = charges(service_date=DAYS[2], patient={**PATIENT, "external_id": "r-3"})
    await handle(make_uow, encounters.on_charge_captured, waiting)
    unrouted = answer(EligibilityVerified, "r-3", DAYS[2]).model_copy(  # type: ignore[attr-defined]
        update={"bill_payer_id": "", "carve_out_to_route": "BRIGHT MINDS BEHAVIORAL (NPI 1234567893)"}
    )
    run = [
        answer(EligibilityVerified, "r-1"),
        *(answer(EligibilityVerified, "r-2", DAYS[1]) for _ in "ab"),
        unrouted,
        unrouted,
    ]
    meta = [
        EventMetadata(event_id=uuid4(), source="eligibility", time=datetime.now(UTC), correlation_id=uuid4())
        for _ in run
    ]
    async with make_uow() as uow:
        await eligibility_answers.on_eligibilities_verified(
            [DecodedEvent(e, m) for e, m in zip(run, meta, strict=True)], uow
        )  # type: ignore[arg-type]
        await uow.commit()
    async with make_uow() as uow:
        causes = (await uow.session.execute(text(HELD_BY), {"ids": [m.event_id for m in meta]})).scalars()
        assert list(causes) == [meta[3].event_id]  # held once, as caused by the answer that held it
    after = [charges(service_date=DAYS[n], patient={**PATIENT, "external_id": f"r-{n + 1}"}) for n in (0, 1)]
    for visit in after:
        await handle(make_uow, encounters.on_charge_captured, visit)
    billed = [claim for visit in after for claim in await claims_of(make_uow, visit.encounter_id)]
    assert [(c.payer_id, c.status) for c in billed] == [("SIMMCR", "ready"), ("SIMMCR", "ready")]
    (held,) = await claims_of(make_uow, waiting.encounter_id)
    assert (held.status, [r["rule"] for r in held.reasons]) == ("held", ["coverage.carve_out_unrouted"])
