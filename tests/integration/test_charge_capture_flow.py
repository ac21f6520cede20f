"""Black box: an encounter posted over HTTP to charge capture, its events read back from Kafka."""

import json
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.charge_capture import TOPIC, ChargeCaptured, ChargeRejected
from kafka_reader import header, records_about

ADDRESS = {"line1": "1 Elm St", "city": "Portland", "state": "OR", "postal_code": "97201"}


def call(client: httpx.Client, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.request(method, path, json=body)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


PRACTICE = {"name": "Harbor Counseling", "npi": "1679576722", "tax_id": "98-7654321", "taxonomy": "261QM0801X"}
PROVIDER = {"npi": "1245319599", "first_name": "Ben", "last_name": "Okafor", "credential": "LCSW"}
PAYER = {"payer_id": "MCR01", "name": "Medicare Part B", "kind": "medicare", "claim_filing_indicator": "MB"}
FEES = {"effective_from": "2026-01-01", "entries": [{"code": "90834", "amount": "98.40"}]}


def set_up_practice(client: httpx.Client) -> str:
    practice = call(client, "POST", "/v1/practices", PRACTICE | {"address": ADDRESS})
    practice_id = practice["id"]
    call(client, "POST", f"/v1/practices/{practice_id}/providers", PROVIDER | {"taxonomy": "1041C0700X"})
    call(client, "POST", f"/v1/practices/{practice_id}/payers", PAYER)
    call(client, "PUT", f"/v1/practices/{practice_id}/fee-schedules/MCR01", FEES)
    return str(practice_id)


def encounter(practice_id: str, minutes: int) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "external_id": f"visit-{uuid4().hex[:8]}",
        "service_date": "2026-03-02",
        "rendering_provider_npi": "1245319599",
        "patient": {
            "external_id": "p-77",
            "first_name": "Sam",
            "last_name": "Lee",
            "birth_date": "1970-01-31",
            "sex": "M",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "MCR01", "member_id": "1EG4TE5MK73", "relationship": "self"},
        "diagnoses": ["F41.1"],
        "place_of_service": "11",
        "telehealth": {"modality": "audio", "patient_at_home": True},
        "service": {"kind": "psychotherapy", "minutes": minutes},
    }


async def test_encounter_posted_over_http_arrives_on_kafka_as_claim_ready_charges(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    tenant = uuid4()
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    with httpx.Client(base_url=services.charge_capture, headers=headers, timeout=10) as client:
        practice_id = set_up_practice(client)
        coded = call(client, "POST", "/v1/encounters", encounter(practice_id, minutes=45))
        held = call(client, "POST", "/v1/encounters", encounter(practice_id, minutes=12))
    assert coded["status"] == "coded" and held["status"] == "needs_review"

    records = await records_about(stack.bootstrap_servers, TOPIC, coded["id"], count=2)
    assert [header(r, "ce_type") for r in records] == ["claimstream.encounter.received.v1", ChargeCaptured.event_type]
    captured_record = records[1]
    assert captured_record.key == f"{tenant}:{coded['id']}".encode()
    captured = ChargeCaptured.model_validate(json.loads(captured_record.value))
    assert captured.tenant_id == tenant and captured.practice_id == UUID(practice_id)
    assert captured.place_of_service == "10"  # Medicare: telehealth at home
    assert [(line.code, line.modifiers, str(line.amount)) for line in captured.lines] == [("90834", ["93"], "98.40")]
    assert captured.billing_provider.tax_id == "987654321"
    assert captured.coverage.member_id == "1EG4TE5MK73"

    rejected = await records_about(stack.bootstrap_servers, TOPIC, held["id"], count=2)
    assert header(rejected[1], "ce_type") == ChargeRejected.event_type
    reasons = ChargeRejected.model_validate(json.loads(rejected[1].value)).reasons
    assert [reason.rule for reason in reasons] == ["psychotherapy.minimum-time"]
