"""Black box, to the money: the simulator's 835 for an accepted claim is read by remittance posting from the
clearinghouse inbox and posted to the claim; PaymentPosted on Kafka carries the same money as the posting,
and the claim's charge is accounted for to the cent (paid plus every adjustment)."""

import asyncio
import json
import time
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.remittance_posting import TOPIC, PaymentPosted
from kafka_reader import records_about
from test_encounter_to_claim import claim_for_a_visit


async def postings_of(services: Services, headers: dict[str, str], claim_id: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=services.remittance_posting, headers=headers, timeout=10) as client:
        while time.monotonic() < deadline:
            response = await client.get(f"/v1/claims/{claim_id}/postings")
            assert response.status_code == 200, response.text
            if response.json()["items"]:
                found: list[dict[str, Any]] = response.json()["items"]
                return found
            await asyncio.sleep(0.5)
    return []


async def test_the_payers_835_posts_to_the_claim_and_reaches_kafka(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    tenant = uuid4()
    claim, _ = await claim_for_a_visit(services, keys, tenant, first_name="Rae", last_name="Okoro")
    assert claim.get("status") == "accepted", claim
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    (posting,) = await postings_of(services, headers, claim["id"])
    assert (posting["state"], posting["matched_by"]) == ("posted", "patient_control_number")
    assert posting["patient_control_number"] == claim["patient_control_number"]
    assert Decimal(posting["charge"]) == Decimal(claim["total_charge"])

    records = await records_about(stack.bootstrap_servers, TOPIC, claim["id"], PaymentPosted.event_type)
    (event,) = [PaymentPosted.model_validate(json.loads(r.value)) for r in records]
    assert event.tenant_id == tenant and event.claim_id == UUID(claim["id"])
    assert event.paid == Decimal(posting["paid"]) and event.remittance_id == UUID(posting["remittance_id"])
    assert event.paid + sum((a.amount for a in event.adjustments), Decimal(0)) == event.charge
    assert [line.line_number for line in event.lines] == [1]  # matched back to the claim's own line


async def claim_to(services: Services, headers: dict[str, str], encounter_id: str, payer_id: str) -> dict[str, Any]:
    """The encounter's claim to `payer_id` once the payer accepted it (bounded wait)."""
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as client:
        while time.monotonic() < deadline:
            found = (await client.get(f"/v1/claims?encounter_id={encounter_id}")).json()["items"]
            settled = [c for c in found if c["payer_id"] == payer_id and c["status"] == "accepted"]
            if settled:
                claim: dict[str, Any] = settled[0]
                claim["x12"] = (await client.get(f"/v1/claims/{claim['id']}/x12")).text.replace("\n", "")
                return claim
            await asyncio.sleep(0.5)
    return {}


async def test_the_primarys_posting_bills_the_secondary_which_pays_the_patients_share(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    tenant = uuid4()
    primary, _ = await claim_for_a_visit(
        services, keys, tenant, first_name="Ivo", last_name="Brandt", secondary="SIMBCX"
    )
    assert primary.get("status") == "accepted", primary
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    (by_primary,) = await postings_of(services, headers, primary["id"])
    owed = Decimal(by_primary["patient_responsibility"])
    assert owed > 0  # the Medicare deductible and coinsurance: what the secondary is billed for

    secondary = await claim_to(services, headers, primary["encounter_id"], "SIMBCX")
    assert secondary, "no accepted secondary claim"
    x12 = secondary["x12"]
    assert "SBR*S*18" in x12 and "SBR*P*18" in x12 and "NM1*PR*2*MEDICARE*****PI*SIMMCR" in x12
    assert f"AMT*D*{_x12_amount(by_primary['paid'])}~" in x12 and f"AMT*EAF*{_x12_amount(owed)}~" in x12
    assert "SVD*SIMMCR*" in x12 and "DTP*573*D8*" in x12

    (by_secondary,) = await postings_of(services, headers, secondary["id"])
    assert by_secondary["claim_status"] == "2"  # processed as secondary
    records = await records_about(stack.bootstrap_servers, TOPIC, secondary["id"], PaymentPosted.event_type)
    (event,) = [PaymentPosted.model_validate(json.loads(r.value)) for r in records]
    assert event.paid + sum((a.amount for a in event.adjustments), Decimal(0)) == event.charge
    assert ("OA", "23") in {(a.group, a.reason) for a in event.adjustments}  # the primary's effect
    # the money on both sides: what the secondary paid and left the patient is what the primary left the patient
    assert 0 < event.paid <= owed and event.paid + event.patient_responsibility == owed


def _x12_amount(value: object) -> str:
    text = str(Decimal(str(value)).quantize(Decimal("0.01")))
    return text.rstrip("0").rstrip(".")


async def test_a_crossover_is_not_billed_by_hand_and_the_crossover_payers_835_posts_to_the_claim(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    """A dual eligible: Medicare forwards the claim to Medicaid itself (CLP02 19, NM1*TT, MOA MA18); Medicaid's
    own 835 pays it under our CLM01, and claim submission bills nobody by hand."""
    tenant = uuid4()
    primary, _ = await claim_for_a_visit(
        services, keys, tenant, first_name="Oda", last_name="Lindqvist", secondary="SIMMCD"
    )
    assert primary.get("status") == "accepted", primary
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    deadline, postings = time.monotonic() + 90, []
    while time.monotonic() < deadline and len(postings) < 2:
        postings = await postings_of(services, headers, primary["id"])
        await asyncio.sleep(0.5)
    by_status = {p["claim_status"]: p for p in postings}
    assert set(by_status) == {"19", "2"}, postings  # Medicare's (forwarded), then Medicaid's (as secondary)
    assert by_status["19"]["outcome"] in ("paid", "partially_paid")  # processed: Medicare's adjustments stand
    records = await records_about(stack.bootstrap_servers, TOPIC, primary["id"], PaymentPosted.event_type, count=2)
    posted = [PaymentPosted.model_validate(json.loads(r.value)) for r in records]
    found = {(e.claim_status, e.payer_id, e.forwarded) for e in posted}
    assert found == {("19", "SIMMCR", True), ("2", "SIMMCD", False)}  # Medicare forwarded it itself
    medicaid = next(e for e in posted if e.claim_status == "2")
    assert medicaid.paid + sum((a.amount for a in medicaid.adjustments), Decimal(0)) == medicaid.charge
    async with httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as client:
        claims = (await client.get(f"/v1/claims?encounter_id={primary['encounter_id']}")).json()["items"]
    assert [c["payer_id"] for c in claims] == ["SIMMCR"]  # nothing billed to Medicaid by hand
    assert claims[0]["payer_claim_number"] == primary["payer_claim_number"]  # Medicaid's number is not ours
