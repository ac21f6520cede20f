"""Black box: PostgreSQL restarted (`pg_ctl restart -m fast`) and crashed (kill -9 of the postmaster) while EHRs
post encounters. The APIs answer 503 with Retry-After, never 500; no worker process dies; once the database is
back every encounter is stored once and becomes exactly one accepted claim."""

import asyncio
import time
from collections import Counter
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest

ADDRESS = {"line1": "7 Harbor Way", "city": "Portland", "state": "OR", "postal_code": "972011234"}
VISITS = 24


async def post_until_stored(capture: httpx.AsyncClient, body: dict[str, Any], seen: Counter[int]) -> str:
    """An EHR's retry loop: 503 (and a refused connection) means wait and post again."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            response = await capture.post("/v1/encounters", json=body)
        except httpx.TransportError:
            await asyncio.sleep(0.2)
            continue
        seen[response.status_code] += 1
        if response.status_code in (200, 201):
            return str(response.json()["id"])
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        await asyncio.sleep(0.2)
    raise AssertionError("the encounter was never stored")


PRACTICE = {"name": "Outage Counseling", "npi": "1497758544", "tax_id": "123456789", "taxonomy": "261QM0801X"}
PROVIDER = {"npi": "1245319599", "first_name": "Ben", "last_name": "Okafor", "credential": "LCSW"}
MEDICARE = {"payer_id": "SIMMCR", "name": "Medicare", "kind": "medicare", "claim_filing_indicator": "MB"}
FEES = {"effective_from": "2025-01-01", "entries": [{"code": "90837", "amount": "180.00"}]}
MEMBER = {"first_name": "Lee", "last_name": "Park", "birth_date": "1969-05-05", "coverage_start": "2025-01-01"}


async def set_up(capture: httpx.AsyncClient, payers: httpx.AsyncClient) -> tuple[str, list[str]]:
    practice = (await capture.post("/v1/practices", json=PRACTICE | {"address": ADDRESS})).json()
    provider = PROVIDER | {"taxonomy": "1041C0700X"}
    await capture.post(f"/v1/practices/{practice['id']}/providers", json=provider)
    await capture.post(f"/v1/practices/{practice['id']}/payers", json=MEDICARE)
    await capture.put(f"/v1/practices/{practice['id']}/fee-schedules/SIMMCR", json=FEES)
    members = [f"M{uuid4().hex[:10].upper()}" for _ in range(VISITS)]
    for member_id in members:
        response = await payers.post("/v1/payers/SIMMCR/members", json=MEMBER | {"member_id": member_id})
        assert response.status_code == 201
    return practice["id"], members


def visit(practice_id: str, member_id: str, n: int) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "external_id": f"outage-{n}",
        "service_date": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 3 * 86400)),
        "rendering_provider_npi": "1245319599",
        "patient": {
            "external_id": f"p-{n}",
            "first_name": "Lee",
            "last_name": "Park",
            "birth_date": "1969-05-05",
            "sex": "F",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "SIMMCR", "member_id": member_id, "relationship": "self"},
        "diagnoses": ["F33.1"],
        "place_of_service": "11",
        "service": {"kind": "psychotherapy", "minutes": 55},
    }


async def test_a_database_restart_and_crash_under_load_answer_503_and_lose_nothing(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    seen: Counter[int] = Counter()
    async with (
        httpx.AsyncClient(base_url=services.charge_capture, headers=headers, timeout=30) as capture,
        httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=30) as claims,
        httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth, timeout=30) as payers,
    ):
        practice_id, members = await set_up(capture, payers)

        async def load() -> list[str]:
            ids = []
            for n, member_id in enumerate(members):
                ids.append(await post_until_stored(capture, visit(practice_id, member_id, n), seen))
                await asyncio.sleep(0.1)
            return ids

        posting = asyncio.create_task(load())
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.restart_postgres)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.restart_postgres, crash=True)
        encounter_ids = await posting

        print("statuses during the outages", dict(seen))
        assert set(seen) <= {200, 201, 503}, seen  # never a 500
        assert len(set(encounter_ids)) == VISITS
        deadline, accepted = time.monotonic() + 120, {}
        while time.monotonic() < deadline and len(accepted) < VISITS:
            page = (await claims.get("/v1/claims", params={"practice_id": practice_id, "limit": 200})).json()
            items = page.get("items", [])
            accepted = {c["encounter_id"]: c for c in items if c["status"] == "accepted"}
            await asyncio.sleep(1)
        page = (await claims.get("/v1/claims", params={"practice_id": practice_id, "limit": 200})).json()
    per_encounter = Counter(c["encounter_id"] for c in page["items"])
    assert set(per_encounter) == set(encounter_ids) and set(per_encounter.values()) == {1}  # one claim each
    assert set(accepted) == set(encounter_ids), Counter(c["status"] for c in page["items"])
    assert services.exited() == []  # every API and worker process rode out both outages
