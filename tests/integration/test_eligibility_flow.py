"""Black box, before the visit: eligibility asks the simulated payers over X12 (270 out, 271 back) and answers
with the patient's mental-health benefits; a Blue plan's carve-out names whom to bill; a member the payer does
not know fails with the payer's AAA; and the verification reaches Kafka with no PHI."""

import json
from typing import Any
from uuid import uuid4

import httpx
from claimstream_platform.contracts.eligibility import TOPIC, EligibilityVerified
from claimstream_platform.testing import Keys, StackUnderTest
from kafka_reader import records_about
from running_services import Services
from test_encounter_to_claim import _enroll, ok

PRACTICE = str(uuid4())


def body(payer: str, member_id: str) -> dict[str, Any]:
    return {"practice_id": PRACTICE, "service_date": "2026-12-03", "expected_charge": "180.00",
            "patient": {"external_id": "PAT-77", "first_name": "Zoë", "last_name": "Núñez-O'Hara",
                        "birth_date": "1969-05-05"},
            "coverage": {"payer_id": payer, "member_id": member_id},
            "provider": {"npi": "1497758544", "name": "Bayview Therapy"}}  # fmt: skip


async def test_checks_answer_with_benefits_carve_outs_and_the_payers_refusals(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    async with httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth, timeout=10) as sim:
        medicaid, blue = (
            await _enroll(sim, "SIMMCD", "Zoë", "Núñez-O'Hara"),
            await _enroll(sim, "SIMBCX", "Zoë", "Núñez"),
        )
    async with httpx.AsyncClient(base_url=services.eligibility, headers=headers, timeout=30) as client:
        verified = await ok(await client.post("/v1/eligibility-checks", json=body("SIMMCD", medicaid)))
        carved = await ok(await client.post("/v1/eligibility-checks", json=body("SIMBCX", blue)))
        unknown = await ok(await client.post("/v1/eligibility-checks", json=body("SIMMCD", "NOBODY99")))
    summary = verified["summary"]
    assert (verified["status"], summary["bill_payer_id"], summary["visits_allowed"]) == ("active", "SIMMCD", 30)
    assert summary["authorization_required"] is True and summary["next_visit_cost"] is not None
    assert (carved["status"], carved["summary"]["bill_payer_id"]) == ("active", "SIMBHO")  # the carve-out
    assert (unknown["status"], unknown["summary"]["rejection"]) == ("failed", "75")

    (record,) = await records_about(stack.bootstrap_servers, TOPIC, verified["id"], EligibilityVerified.event_type)
    event = EligibilityVerified.model_validate(json.loads(record.value))
    assert event.visits_allowed == 30 and event.patient_ref == "PAT-77"
    assert medicaid not in record.value.decode() and "Zo" not in record.value.decode()  # no member id, no name
