"""Black box, before the visit: eligibility asks the simulated payers over X12 (270 out, 271 back) and answers
with the patient's mental-health benefits; a Blue plan's carve-out names whom to bill; a member the payer does
not know fails with the payer's AAA; the verification reaches Kafka with no PHI; the administrator's 271 gives
individual and family deductibles and HSD visit limits, and the next visit's cost on the allowed amount; and the
claim for a carved-out plan goes to the company that administers its mental-health benefits (whose roster the
plan's member joined when enrolled)."""

import asyncio
import json
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services, clients
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.eligibility import TOPIC, EligibilityVerified
from claimstream_platform.dates import business_date
from kafka_reader import records_about
from test_encounter_to_claim import ADDRESS, _enroll, _practice_billing, _settled_claim, ok


def body(practice_id: str, payer: str, member_id: str) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "service_date": "2026-12-03",
        "expected_charge": "180.00",
        "patient": {
            "external_id": "PAT-77",
            "first_name": "Zoë",
            "last_name": "Núñez-O'Hara",
            "birth_date": "1969-05-05",
        },
        "coverage": {"payer_id": payer, "member_id": member_id},
        "provider": {"npi": "1497758544", "name": "Bayview Therapy"},
    }


async def test_checks_answer_with_benefits_carve_outs_and_the_payers_refusals(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    async with clients(services, keys, uuid4()) as c:
        practice_id = await _practice_billing(c.capture, "SIMMCD")
        medicaid, blue = (
            await _enroll(c.simulator, "SIMMCD", "Zoë", "Núñez-O'Hara"),
            await _enroll(c.simulator, "SIMBCX", "Zoë", "Núñez"),
        )
        verified, carved, unknown = [
            await ok(await c.eligibility.post("/v1/eligibility-checks", json=body(practice_id, payer, member)))
            for payer, member in (("SIMMCD", medicaid), ("SIMBCX", blue), ("SIMMCD", "NOBODY99"))
        ]
    summary = verified["summary"]
    assert (verified["status"], summary["bill_payer_id"], summary["visits_allowed"]) == ("active", "SIMMCD", 30)
    assert summary["authorization_required"] is True and summary["next_visit_cost"] is not None
    assert (carved["status"], carved["summary"]["bill_payer_id"]) == ("active", "SIMBHO")  # the carve-out
    assert (unknown["status"], unknown["summary"]["rejection"]) == ("failed", "75")

    (record,) = await records_about(stack.bootstrap_servers, TOPIC, verified["id"], EligibilityVerified.event_type)
    event = EligibilityVerified.model_validate(json.loads(record.value))
    assert event.visits_allowed == 30 and event.patient_ref == "PAT-77"
    assert medicaid not in record.value.decode() and "Zo" not in record.value.decode()  # no member id, no name


async def test_the_administrators_answer_gives_family_deductibles_hsd_limits_and_the_visits_cost(
    services: Services, keys: Keys
) -> None:
    async with clients(services, keys, uuid4()) as c:
        practice_id = await _practice_billing(c.capture, "SIMBCX")
        blue = await _enroll(c.simulator, "SIMBCX", "Zoë", "Núñez")  # on the administrator's roster too
        check = {**body(practice_id, "SIMBHO", blue), "allowed_amount": "150.00"}
        answered = await ok(await c.eligibility.post("/v1/eligibility-checks", json=check))
    summary = answered["summary"]
    assert answered["status"] == "active"
    individual, family = summary["deductible_individual"], summary["deductible_family"]
    assert [Decimal(individual[k]) for k in ("amount", "used", "remaining")] == [250, 0, 250]
    assert [Decimal(family[k]) for k in ("amount", "used", "remaining")] == [500, 350, 150]
    assert Decimal(summary["deductible_remaining"]) == 150  # the family's is the smaller
    assert (summary["visits_allowed"], summary["visits_used"], summary["visits_remaining"]) == (30, 0, 30)
    assert summary["visit_limit_period"] == "calendar year"
    assert summary["next_visit_cost"] == "150.00"  # the allowed amount, all toward the family's deductible left
    assert summary["cost"]["basis"] == "allowed"


async def test_a_carved_out_plans_claim_is_billed_to_its_administrator(services: Services, keys: Keys) -> None:
    async with clients(services, keys, uuid4()) as c:
        practice_id = await _practice_billing(c.capture, "SIMBCX")
        member_id = await _enroll(c.simulator, "SIMBCX", "Ana", "Díaz")  # the administrator's roster too
        patient = {"external_id": "p-9", "first_name": "Ana", "last_name": "Díaz", "birth_date": "1969-05-05"}
        check = {**body(practice_id, "SIMBCX", member_id), "patient": patient}
        carved = await ok(await c.eligibility.post("/v1/eligibility-checks", json=check))
        assert carved["summary"]["bill_payer_id"] == "SIMBHO"
        await _caught_up(c.projection, "claim-submission", TOPIC)  # claim submission has read the answer
        encounter = await ok(await c.capture.post("/v1/encounters", json=visit(practice_id, member_id)))
        claim, x12 = await _settled_claim(c.claims, encounter["id"])
    assert (claim.get("status"), claim.get("payer_id")) == ("accepted", "SIMBHO"), claim
    assert claim["payer_claim_number"].startswith("SIMBHO") and "NM1*PR*2*SIMULATED BEHAVIORAL HEALTH" in x12.upper()


def visit(practice_id: str, member_id: str) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "external_id": "visit-1",
        "service_date": str(business_date() - timedelta(days=3)),
        "rendering_provider_npi": "1245319599",
        "patient": {
            "external_id": "p-9",
            "first_name": "Ana",
            "last_name": "Díaz",
            "birth_date": "1969-05-05",
            "sex": "F",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "SIMBCX", "member_id": member_id, "relationship": "self"},
        "diagnoses": ["F33.1"],
        "place_of_service": "11",
        "service": {"kind": "psychotherapy", "minutes": 55},
    }


async def _caught_up(projection: httpx.AsyncClient, group: str, topic: str, timeout: float = 30) -> None:
    """Wait (bounded) until the consumer group has read `topic` to its end, as the stream health shows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lags = (await ok(await projection.get("/v1/stream/health")))["consumer_lag"]
        mine = [lag for lag in lags if lag["group"] == group and lag["topic"] == topic]
        if mine and all(lag["lag"] == 0 for lag in mine):
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"{group} did not catch up on {topic}")
