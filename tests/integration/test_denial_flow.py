"""Black box, a denial fixed with no person: the HMO denies a telehealth visit billed at the office place of
service (CO-5); denial management opens the case and asks for a correction with the payer's telehealth place;
claim submission sends the replacement (frequency 7, REF*F8); the payer pays it; the case is resolved with the
money recovered, and DenialResolved is on Kafka."""

import asyncio
import json
import time
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.denial_management import TOPIC, DenialResolved
from kafka_reader import records_about
from test_encounter_to_claim import claim_for_a_visit


async def settled_case(services: Services, headers: dict[str, str], claim_id: str) -> dict[str, Any]:
    """The claim's case once resolved (bounded wait), else as it stands."""
    deadline, found = time.monotonic() + 90, {}
    async with httpx.AsyncClient(base_url=services.denial_management, headers=headers, timeout=10) as client:
        while time.monotonic() < deadline:
            items = (await client.get("/v1/denials", params={"limit": 200})).json()["items"]
            found = next((c for c in items if c["claim_id"] == claim_id), {})
            if found.get("status") == "resolved":
                detail: dict[str, Any] = (await client.get(f"/v1/denials/{found['id']}")).json()
                return detail
            await asyncio.sleep(0.5)
    return found


async def test_a_telehealth_place_denial_is_corrected_resubmitted_and_paid_with_no_person(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    tenant = uuid4()
    claim, x12 = await claim_for_a_visit(
        services, keys, tenant, first_name="Noor", last_name="Haddad", payer="SIMAHP", minutes=45
    )
    assert claim.get("status") in ("accepted", "replaced"), claim  # replaced: the correction was quicker than us
    assert "*11:B:1*" in x12  # a commercial plan's telehealth at the office POS, with modifier 95
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    case = await settled_case(services, headers, claim["id"])
    assert (case.get("category"), case.get("codes")) == ("place_of_service", ["CO-5", "M77"]), case
    assert (case["status"], case["resolution"], case["automatic"]) == ("resolved", "corrected_and_paid", True)
    assert Decimal(case["recovered"]) > 0
    assert [h["action"] for h in case["history"]] == ["triaged", "correction_requested", "resolved"]

    async with httpx.AsyncClient(base_url=services.claim_submission, headers=headers, timeout=10) as client:
        claims = (await client.get(f"/v1/claims?encounter_id={claim['encounter_id']}")).json()["items"]
        (replacement,) = [c for c in claims if c["replaces_claim_id"] == claim["id"]]
        sent = (await client.get(f"/v1/claims/{replacement['id']}/x12")).text.replace("\n", "")
    assert replacement["frequency"] == "7" and "*02:B:7*" in sent
    assert f"REF*F8*{claim['payer_claim_number']}~" in sent  # the payer's number of the claim it replaces

    records = await records_about(stack.bootstrap_servers, TOPIC, case["id"], DenialResolved.event_type)
    resolved = [DenialResolved.model_validate(json.loads(r.value)) for r in records]
    assert [(e.resolution, e.automatic, e.recovered) for e in resolved] == [
        ("corrected_and_paid", True, Decimal(case["recovered"]))
    ]
