"""Black box, the whole path: an encounter posted to charge capture becomes a claim that claim submission
sends to the clearinghouse simulator, which acknowledges and accepts it; every step on Kafka."""

import asyncio
import json
import time
from typing import Any
from uuid import uuid4

import httpx
from claimstream_platform.contracts.claim_submission import TOPIC, ClaimAccepted
from claimstream_platform.testing import Keys, StackUnderTest
from kafka_reader import header, read_topic
from running_services import Services

ADDRESS = {"line1": "7 Harbor Way", "city": "Portland", "state": "OR", "postal_code": "972011234"}


async def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


async def test_an_encounter_becomes_an_accepted_claim(services: Services, stack: StackUnderTest, keys: Keys) -> None:
    tenant = uuid4()
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with (
        httpx.AsyncClient(base_url=services.charge_capture, headers=headers, timeout=10) as capture,
        httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as claims,
        httpx.AsyncClient(base_url=services.simulator, headers=headers, timeout=10) as payers,
    ):
        practice = await ok(await capture.post("/v1/practices", json={
            "name": "Bayview Therapy", "npi": "1497758544", "tax_id": "123456789", "taxonomy": "261QM0801X",
            "address": ADDRESS}))  # fmt: skip
        await ok(await capture.post(f"/v1/practices/{practice['id']}/providers", json={
            "npi": "1245319599", "first_name": "Ben", "last_name": "Okafor", "credential": "LCSW",
            "taxonomy": "1041C0700X"}))  # fmt: skip
        medicare = {"payer_id": "SIMMCR", "name": "Medicare", "kind": "medicare", "claim_filing_indicator": "MB"}
        await ok(await capture.post(f"/v1/practices/{practice['id']}/payers", json=medicare))
        await ok(await capture.put(f"/v1/practices/{practice['id']}/fee-schedules/SIMMCR", json={
            "effective_from": "2025-01-01", "entries": [{"code": "90837", "amount": "180.00"}]}))  # fmt: skip
        member_id = f"M{uuid4().hex[:10].upper()}"
        await ok(await payers.post("/v1/payers/SIMMCR/members", json={
            "member_id": member_id, "first_name": "Lee", "last_name": "Park", "birth_date": "1969-05-05",
            "coverage_start": "2025-01-01"}))  # fmt: skip
        encounter = await ok(await capture.post("/v1/encounters", json={
            "practice_id": practice["id"], "external_id": "visit-1",
            "service_date": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 3 * 86400)),
            "rendering_provider_npi": "1245319599",
            "patient": {"external_id": "p-9", "first_name": "Lee", "last_name": "Park", "birth_date": "1969-05-05",
                        "sex": "F", "address": ADDRESS},
            "coverage": {"payer_id": "SIMMCR", "member_id": member_id, "relationship": "self"},
            "diagnoses": ["F33.1"], "place_of_service": "11", "telehealth": {"modality": "video"},
            "service": {"kind": "psychotherapy", "minutes": 55}}))  # fmt: skip
        assert encounter["status"] == "coded"

        deadline = time.monotonic() + 45
        claim: dict[str, Any] = {}
        while time.monotonic() < deadline:
            found = (await ok(await claims.get(f"/v1/claims?encounter_id={encounter['id']}")))["items"]
            if found and found[0]["status"] in ("accepted", "rejected", "held"):
                claim = found[0]
                break
            await asyncio.sleep(0.5)
        assert claim.get("status") == "accepted", claim
        assert claim["payer_claim_number"].startswith("SIMMCR")
        detail = await ok(await claims.get(f"/v1/claims/{claim['id']}"))
        assert [h["status"] for h in detail["history"]] == [
            "ready",
            "submitting",
            "submitted",
            "acknowledged",
            "accepted",
        ]
        x12 = (await claims.get(f"/v1/claims/{claim['id']}/x12")).text
        assert "SV1*HC:90837:95*180*UN*1***1~" in x12 and "CLM*" in x12

    records = [r for r in await read_topic(stack.bootstrap_servers, TOPIC) if header(r, "ce_subject") == claim["id"]]
    kinds = [header(r, "ce_type") for r in records]
    assert kinds[-1] == ClaimAccepted.event_type and len(kinds) == 4
    accepted = ClaimAccepted.model_validate(json.loads(records[-1].value))
    assert accepted.tenant_id == tenant and accepted.payer_claim_number == claim["payer_claim_number"]
