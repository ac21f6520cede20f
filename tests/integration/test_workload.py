"""Black box: the EHR workload drives charge capture and the payers' rosters through their public APIs only."""

from collections import Counter
from uuid import uuid4

import httpx
from claimstream_platform.testing import Keys
from clearinghouse_simulator.workload import run
from running_services import Services


async def test_the_workload_sets_up_practices_and_posts_a_realistic_mix(services: Services, keys: Keys) -> None:
    token = keys.issuer.issue(tenant_id=uuid4())
    statuses = await run(
        charge_capture_url=services.charge_capture,
        simulator_url=services.simulator,
        token=token,
        simulator_token=services.clearinghouse_auth["Authorization"].removeprefix("Bearer "),
        rate=200,
        count=60,
        practices=2,
        seed=3,
        defect_share=0.5,
    )
    assert statuses == Counter({201: statuses[201], 200: statuses[200]}) and statuses.total() == 60
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=services.charge_capture, headers=headers) as client:
        practices = (await client.get("/v1/practices")).json()["items"]
        items = (await client.get("/v1/encounters?limit=200")).json()["items"]
    assert len(practices) == 2
    by_status = Counter(item["status"] for item in items)
    assert by_status["coded"] > 20 and by_status["needs_review"] > 0
    rules = {problem["rule"] for item in items for problem in item["problems"]}
    expected = {"diagnosis.z-code-primary", "telehealth.details-missing", "telehealth.audio-not-covered"}
    assert rules <= expected
    assert "diagnosis.z-code-primary" in rules
    codes = Counter(charge["code"] for item in items for charge in item["charges"])
    assert {"90837", "90834"} <= set(codes)
    async with httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth) as simulator:
        assert len((await simulator.get("/v1/payers")).json()) == 4
