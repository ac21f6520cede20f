"""Black box, the whole path: an encounter posted to charge capture becomes a claim that claim submission
sends to the clearinghouse simulator, which acknowledges and accepts it; every step on Kafka."""

import asyncio
import json
import time
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import DEFAULT_SUBMITTER, Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.claim_submission import TOPIC, ClaimAccepted
from kafka_reader import header, records_about

ADDRESS = {"line1": "7 Harbor Way", "city": "Portland", "state": "OR", "postal_code": "972011234"}


async def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    result: dict[str, Any] = response.json()
    return result


async def claim_for_a_visit(
    services: Services,
    keys: Keys,
    tenant: UUID,
    *,
    first_name: str = "Lee",
    last_name: str = "Park",
    submitter: dict[str, str] | None = None,
    secondary: str | None = None,
    payer: str = "SIMMCR",
    minutes: int = 55,
    days_ago: int = 3,
    member: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """Set up a practice for `tenant` (and its own submitter, else the installation's default is used), enroll
    the patient with the payer (and with a secondary payer), post one telehealth visit of `minutes`, `days_ago`;
    its claim once settled (accepted, rejected or held) and its 837P."""
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    if submitter is not None:
        admin = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=['tenant-admin'])}"}
        async with httpx.AsyncClient(base_url=services.claim_submission, headers=admin, timeout=10) as client:
            await ok(await client.put("/v1/submitter", json=submitter))
    async with (
        httpx.AsyncClient(base_url=services.charge_capture, headers=headers, timeout=10) as capture,
        httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as claims,
        httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth, timeout=10) as payers,
    ):
        practice_id = await _practice_billing(capture, payer)
        member_id = await _enroll(payers, payer, first_name, last_name, member)
        others = await _secondary_coverage(capture, payers, practice_id, secondary, (first_name, last_name))
        visit = _telehealth_visit(practice_id, payer, member_id, others, (first_name, last_name), minutes)
        visit["service_date"] = time.strftime("%Y-%m-%d", time.gmtime(time.time() - days_ago * 86400))
        encounter = await ok(await capture.post("/v1/encounters", json=visit))
        assert encounter["status"] == "coded"
        return await _settled_claim(claims, encounter["id"])


def _telehealth_visit(
    practice_id: str, payer: str, member_id: str, others: Any, name: tuple[str, str], minutes: int
) -> dict[str, Any]:
    """One video psychotherapy session, for a patient who is the subscriber."""
    first_name, last_name = name
    return {
        "practice_id": practice_id,
        "external_id": "visit-1",
        "rendering_provider_npi": "1245319599",
        "patient": {
            "external_id": "p-9",
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": "1969-05-05",
            "sex": "F",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": payer, "member_id": member_id, "relationship": "self"},
        "other_coverages": others,
        "diagnoses": ["F33.1"],
        "place_of_service": "11",
        "telehealth": {"modality": "video"},
        "service": {"kind": "psychotherapy", "minutes": minutes},
    }


async def _enroll(
    payers: httpx.AsyncClient, payer: str, first_name: str, last_name: str, member: dict[str, str] | None = None
) -> str:
    """The patient on the payer's roster (with roster values of their own, `member`: a deductible, paper
    remittance); their member id."""
    member_id = f"M{uuid4().hex[:10].upper()}"
    await ok(
        await payers.post(
            f"/v1/payers/{payer}/members",
            json={
                "member_id": member_id,
                "first_name": first_name,
                "last_name": last_name,
                "birth_date": "1969-05-05",
                "coverage_start": "2025-01-01",
            }
            | (member or {}),
        )
    )
    return member_id


async def _practice_billing(capture: httpx.AsyncClient, payer: str, npi: str = "1497758544") -> str:
    """A practice with one social worker, billing `payer` from its fee schedule; its id (a tenant's second
    practice has a billing NPI of its own, `npi`)."""
    practice = await ok(
        await capture.post(
            "/v1/practices",
            json={
                "name": "Bayview Therapy",
                "npi": npi,
                "tax_id": "123456789",
                "taxonomy": "261QM0801X",
                "address": ADDRESS,
            },
        )
    )
    await ok(
        await capture.post(
            f"/v1/practices/{practice['id']}/providers",
            json={
                "npi": "1245319599",
                "first_name": "Ben",
                "last_name": "Okafor",
                "credential": "LCSW",
                "taxonomy": "1041C0700X",
            },
        )
    )
    await ok(await capture.post(f"/v1/practices/{practice['id']}/payers", json=PAYERS[payer]))
    await ok(
        await capture.put(
            f"/v1/practices/{practice['id']}/fee-schedules/{payer}",
            json={
                "effective_from": "2025-01-01",
                "entries": [{"code": "90837", "amount": "180.00"}, {"code": "90834", "amount": "140.00"}],
            },
        )
    )
    return str(practice["id"])


async def _settled_claim(claims: httpx.AsyncClient, encounter_id: str) -> tuple[dict[str, Any], str]:
    """The encounter's first claim once accepted, rejected or held (bounded wait), and its 837P. On a test stack
    whose loops run every second, a denial's automatic correction may have replaced it already: then it is the
    original, `replaced`, that is returned (the replacement is a claim of the same encounter too)."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        found = (await ok(await claims.get(f"/v1/claims?encounter_id={encounter_id}")))["items"]
        originals = [claim for claim in found if claim["replaces_claim_id"] is None]
        if originals and originals[0]["status"] in ("accepted", "rejected", "held", "replaced"):
            claim = await ok(await claims.get(f"/v1/claims/{originals[0]['id']}"))
            return claim, (await claims.get(f"/v1/claims/{claim['id']}/x12")).text
        await asyncio.sleep(0.5)
    return {}, ""


PAYERS = {
    "SIMMCR": {"payer_id": "SIMMCR", "name": "Medicare", "kind": "medicare", "claim_filing_indicator": "MB"},
    "SIMBCX": {"payer_id": "SIMBCX", "name": "Blue PPO", "kind": "commercial", "claim_filing_indicator": "BL"},
    "SIMMCD": {"payer_id": "SIMMCD", "name": "Medicaid", "kind": "medicaid", "claim_filing_indicator": "MC"},
    "SIMAHP": {"payer_id": "SIMAHP", "name": "Apex HMO", "kind": "commercial", "claim_filing_indicator": "HM"},
}


async def _secondary_coverage(
    capture: httpx.AsyncClient,
    payers: httpx.AsyncClient,
    practice_id: str,
    payer_id: str | None,
    name: tuple[str, str],
) -> list[dict[str, Any]]:
    """The practice bills `payer_id` too, and the patient is its member: a secondary coverage."""
    if payer_id is None:
        return []
    await ok(await capture.post(f"/v1/practices/{practice_id}/payers", json=PAYERS[payer_id]))
    member_id = f"S{uuid4().hex[:10].upper()}"
    await ok(
        await payers.post(
            f"/v1/payers/{payer_id}/members",
            json={
                "member_id": member_id,
                "first_name": name[0],
                "last_name": name[1],
                "birth_date": "1969-05-05",
                "coverage_start": "2025-01-01",
            },
        )
    )
    return [{"payer_id": payer_id, "member_id": member_id, "relationship": "self", "responsibility": "secondary"}]


async def test_an_encounter_becomes_an_accepted_claim(services: Services, stack: StackUnderTest, keys: Keys) -> None:
    tenant = uuid4()
    claim, x12 = await claim_for_a_visit(services, keys, tenant)
    assert claim.get("status") == "accepted", (claim.get("status"), claim.get("reasons"), claim.get("history"))
    assert claim["payer_claim_number"].startswith("SIMMCR")
    assert [h["status"] for h in claim["history"]] == [
        "ready",
        "submitting",
        "submitted",
        "acknowledged",
        "received",
        "accepted",
    ]
    assert "SV1*HC:90837:95*180*UN*1***1~" in x12 and "CLM*" in x12

    records = await records_about(stack.bootstrap_servers, TOPIC, claim["id"], count=4)
    kinds = [header(r, "ce_type") for r in records]
    assert kinds[-1] == ClaimAccepted.event_type and len(kinds) == 4
    accepted = ClaimAccepted.model_validate(json.loads(records[-1].value))
    assert accepted.tenant_id == tenant and accepted.payer_claim_number == claim["payer_claim_number"]


async def test_a_patient_named_munoz_and_another_tenants_patient_are_both_accepted(
    services: Services, keys: Keys
) -> None:
    """Once, a Muñoz stopped submission for every tenant (the interchange could not be encoded, and the loop
    retried it forever). Now the name is transliterated where X12 is written, and both tenants' claims flow."""
    bay = f"BAY{uuid4().hex[:8].upper()}"  # a submitter id is one tenant's: another run's tenant may hold BAYBILL7
    own = {"submitter_id": bay, "name": "Bay Billing", "contact_name": "Ana Ruiz", "phone": "4155550199"}
    (munoz, x12), (other, other_x12) = await asyncio.gather(
        claim_for_a_visit(services, keys, uuid4(), first_name="José", last_name="Muñoz", submitter=own),
        claim_for_a_visit(services, keys, uuid4()),
    )
    assert (munoz.get("status"), other.get("status")) == ("accepted", "accepted"), (munoz, other)
    assert "NM1*IL*1*MUNOZ*JOSE*" in x12
    # each tenant's claims go out under its own billing company, or the installation's default
    assert f"NM1*41*2*BAY BILLING*****46*{bay}~" in x12 and "PER*IC*ANA RUIZ*TE*4155550199~" in x12
    assert f"NM1*41*2*{DEFAULT_SUBMITTER['DEFAULT_SUBMITTER_NAME']}*****46*" in other_x12


async def test_a_practices_own_payer_facts_reach_claim_submission_as_events(services: Services, keys: Keys) -> None:
    """A billing company that knows the HMO gives its practice 180 days to file sets it in charge capture's set-up
    API; claim submission learns it from the event and releases the claim it held at our 90 days. (The HMO, not the
    Blue plan: the Blue plan's mental-health benefits are carved out, so its claim is billed anew elsewhere.)"""
    tenant = uuid4()
    held, _ = await claim_for_a_visit(services, keys, tenant, payer="SIMAHP", minutes=45, days_ago=100)
    assert held["status"] == "held" and "timely-filing.expired" in [r["rule"] for r in held["reasons"]]
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with (
        httpx.AsyncClient(base_url=services.charge_capture, headers=headers, timeout=10) as capture,
        httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as claims,
    ):
        facts = f"/v1/practices/{held['practice_id']}/payers/SIMAHP/facts/2020-01-01"
        await ok(await capture.put(facts, json={"facts": {"timely_filing": "180 days"}}))
        released = await _released(claims, held["id"])  # nothing acknowledged: the practice's own window holds
    assert released.status_code == 200, released.text
    assert "timely-filing.expired" not in [r["rule"] for r in released.json()["reasons"]]


async def _released(claims: httpx.AsyncClient, claim_id: str) -> httpx.Response:
    """Release the claim, asked again until the override has reached claim submission (bounded wait)."""
    deadline = time.monotonic() + 45
    while True:
        response = await claims.post(f"/v1/claims/{claim_id}/release", json={"acknowledge": []})
        if response.status_code != 422 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.5)
