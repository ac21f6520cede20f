"""Prior authorization's approvals link to claims: a claim held for a missing authorization is billed anew with the
number once one covering it arrives, and a later claim it covers carries the number (REF*G1) from the start; a
claim outside its dates or codes, or another patient's, stays held."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing import authorization_answers
from claims_testkit import PRACTICE, RECENT, TENANT, charges, claims_of, events, handle
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.contracts.prior_authorization import (
    AuthorizationApproved,
    AuthorizationExceeded,
    AuthorizationRequired,
)
from test_coverage_holds import captured_in_a_batch

TESTING = [
    {
        "line_number": 1,
        "code": "96130",
        "modifiers": [],
        "units": 1,
        "amount": Decimal("150.00"),
        "diagnosis_pointers": [1],
    }
]
MEDICAID = {"payer_id": "SIMMCD", "name": "Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"}


def assessment_visit(patient: str = "p-1", days_ago: int = 3) -> ChargeCaptured:
    """Psychological testing for a Medicaid patient: the payer wants an authorization for it."""
    coverage = {"payer_id": "SIMMCD", "member_id": "1EG4TE5MK73", "relationship": "self"}
    visit = charges(
        service_date=RECENT - timedelta(days=days_ago - 3),
        lines=TESTING,
        total_amount=Decimal("150.00"),
        payer=MEDICAID,
        coverage=coverage,
    )
    return visit.model_copy(update={"patient": visit.patient.model_copy(update={"external_id": patient})})


def approved(number: str = "PA-77") -> AuthorizationApproved:
    return AuthorizationApproved(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        authorization_id=uuid4(),
        patient_ref="p-1",
        payer_id="SIMMCD",
        authorization_number=number,
        provider_npi="",
        codes=["96130"],
        approved=4,
        unit="units",
        start=RECENT - timedelta(days=5),
        end=RECENT + timedelta(days=60),
        partial=False,
        source="278",
    )


async def test_a_claim_held_for_a_missing_authorization_goes_with_the_number_once_it_arrives(
    make_uow: Callable[[], ClaimWork],
) -> None:
    held = assessment_visit()
    await handle(make_uow, encounters.on_charge_captured, held)
    (waiting,) = await claims_of(make_uow, held.encounter_id)
    assert waiting.status == "held" and [r["rule"] for r in waiting.reasons] == ["authorization.missing"]
    event = approved()
    await handle(make_uow, authorization_answers.on_authorization_approved, event)
    await handle(make_uow, authorization_answers.on_authorization_approved, event)  # redelivered: nothing more
    voided, billed = await claims_of(make_uow, held.encounter_id)
    assert (voided.status, billed.status, billed.reasons) == ("voided", "ready", [])
    assert billed.content["prior_authorization_number"] == "PA-77"
    kinds = [kind for kind, p in await events(make_uow) if p.get("encounter_id") == str(held.encounter_id)]
    assert kinds == ["created", "held", "voided", "created"]


async def test_later_claims_it_covers_carry_the_number_and_others_stay_held(
    make_uow: Callable[[], ClaimWork],
) -> None:
    await handle(make_uow, authorization_answers.on_authorization_approved, approved("PA-88"))
    covered, too_early, someone_else = assessment_visit(), assessment_visit(days_ago=30), assessment_visit("p-2")
    await captured_in_a_batch(make_uow, covered, too_early, someone_else)
    one_by_one = assessment_visit(days_ago=4)
    await handle(make_uow, encounters.on_charge_captured, one_by_one)
    found = [(await claims_of(make_uow, v.encounter_id))[0] for v in (covered, too_early, someone_else, one_by_one)]
    assert [(c.status, c.content.get("prior_authorization_number")) for c in found] == [
        ("ready", "PA-88"),
        ("held", None),
        ("held", None),
        ("ready", "PA-88"),
    ]


async def test_a_visit_prior_authorization_says_needs_one_is_held_until_it_arrives(
    make_uow: Callable[[], ClaimWork],
) -> None:
    visit = charges(patient={**charges().patient.model_dump(), "external_id": "p-1"})  # Medicare therapy: not held
    await handle(make_uow, encounters.on_charge_captured, visit)
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
    await handle(make_uow, authorization_answers.on_authorization_required, required)  # redelivered: held once
    (held,) = await claims_of(make_uow, visit.encounter_id)
    assert held.status == "held" and [r["rule"] for r in held.reasons] == ["authorization.required"]
    approval = approved("PA-99").model_copy(update={"payer_id": "SIMMCR", "codes": ["90837"]})
    await handle(make_uow, authorization_answers.on_authorization_approved, approval)
    voided, billed = await claims_of(make_uow, visit.encounter_id)
    assert (voided.status, billed.status, billed.content["prior_authorization_number"]) == ("voided", "ready", "PA-99")


async def test_a_visit_past_what_its_authorization_had_left_is_held_for_a_person(
    make_uow: Callable[[], ClaimWork],
) -> None:
    visit = charges(patient={**charges().patient.model_dump(), "external_id": "p-2"})
    await handle(make_uow, encounters.on_charge_captured, visit)
    exceeded = AuthorizationExceeded(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        authorization_id=uuid4(),
        patient_ref="p-2",
        payer_id="SIMMCR",
        authorization_number="PA-12",
        encounter_id=visit.encounter_id,
        version=1,
        service_date=visit.service_date,
        codes=["90837"],
        used=0,
        over=1,
        unit="visits",
    )
    await handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded)
    await handle(make_uow, authorization_answers.on_authorization_exceeded, exceeded)  # redelivered: held once
    (held,) = await claims_of(make_uow, visit.encounter_id)
    assert held.status == "held" and [r["rule"] for r in held.reasons] == ["authorization.exceeded"]
    assert "PA-12" in held.reasons[0]["message"]


def therapy_visit() -> ChargeCaptured:
    """A Medicaid patient's 45-minute session: the payer wants an authorization once she has had 30 this year."""
    coverage = {"payer_id": "SIMMCD", "member_id": "1EG4TE5MK73", "relationship": "self"}
    lines = [{**TESTING[0], "code": "90834", "amount": Decimal("64.00")}]
    return charges(service_date=RECENT, lines=lines, total_amount=Decimal("64.00"), payer=MEDICAID, coverage=coverage)


async def rules_of(make_uow: Callable[[], ClaimWork], visit: ChargeCaptured) -> list[list[str]]:
    return [[r["rule"] for r in c.reasons] for c in await claims_of(make_uow, visit.encounter_id)]


async def test_the_visit_after_the_years_thirtieth_is_held_before_it_leaves_until_an_authorization_covers_it(
    make_uow: Callable[[], ClaimWork],
) -> None:
    """Claim submission counts the visits itself, so the claim is held whatever prior authorization says and when.
    (The visits share a day and codes: held as duplicates too, which does not change what is counted.)"""
    earlier = [therapy_visit() for _ in range(30)]
    await captured_in_a_batch(make_uow, *earlier)  # the run's own visits count for the ones after them
    assert "authorization.required" not in (await rules_of(make_uow, earlier[-1]))[0]
    one_by_one, in_a_batch = therapy_visit(), therapy_visit()
    await handle(make_uow, encounters.on_charge_captured, one_by_one)
    await captured_in_a_batch(make_uow, in_a_batch)
    for visit in (one_by_one, in_a_batch):
        assert "authorization.required" in (await rules_of(make_uow, visit))[0]
    approval = approved("PA-30").model_copy(update={"codes": ["90834"]})
    await handle(make_uow, authorization_answers.on_authorization_approved, approval)
    for visit in (one_by_one, in_a_batch):
        voided, billed = await claims_of(make_uow, visit.encounter_id)
        assert (voided.status, billed.content["prior_authorization_number"]) == ("voided", "PA-30")
        assert "authorization.required" not in [r["rule"] for r in billed.reasons]


async def test_two_visits_counted_at_once_see_each_other(make_uow: Callable[[], ClaimWork]) -> None:
    """The 30th and the 31st visits counted by two transactions at once (they come on different partitions): the
    second waits for the first to commit, counts its visit, and is held as the one past the count."""
    await captured_in_a_batch(make_uow, *[therapy_visit() for _ in range(29)])
    thirtieth, thirty_first = therapy_visit(), therapy_visit()
    async with make_uow() as first:
        await encounters.on_charge_captured(thirtieth, first)
        second = asyncio.create_task(handle(make_uow, encounters.on_charge_captured, thirty_first))
        await waiting_for_a_lock(make_uow, second)  # counted beside the first, it would miss the 30th here
        await first.commit()
    await second
    assert "authorization.required" not in (await rules_of(make_uow, thirtieth))[0]
    assert "authorization.required" in (await rules_of(make_uow, thirty_first))[0]
