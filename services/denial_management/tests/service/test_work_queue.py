"""The work queue on real PostgreSQL: in priority order, scoped to its tenant, worked by staff one case or many;
deadlines coming close announced, priorities raised, recurring denials suggested as scrub rules."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.auth import Kind, Role
from denial_management.deadline_loop import warn_due
from denial_management.repository import DenialWork
from denial_testkit import TENANT, cases_of, created, deliver, denied, outbox, rejected, work_bulk


async def test_the_queue_is_in_priority_order_and_staff_work_it(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claims = [created(f"CS00000009{n}") for n in range(10, 14)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    queue = await cases_of(client, auth, status="open", category="medical_necessity")
    assert [c["priority"] for c in queue] == sorted((c["priority"] for c in queue), reverse=True)
    first = queue[0]["id"]
    page = (await client.get("/v1/denials", params={"limit": 2, "category": "medical_necessity"}, headers=auth)).json()
    rest = (
        await client.get(
            "/v1/denials",
            params={"limit": 200, "category": "medical_necessity", "cursor": page["next_cursor"]},
            headers=auth,
        )
    ).json()
    assert len(page["items"]) == 2 and {c["id"] for c in page["items"]}.isdisjoint(c["id"] for c in rest["items"])
    assigned = await client.post(f"/v1/denials/{first}/assign", json={"assignee": "ana@billing"}, headers=auth)
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "ana@billing"
    noted = await client.post(f"/v1/denials/{first}/notes", json={"text": "records requested"}, headers=auth)
    assert [h["action"] for h in noted.json()["history"]][-1] == "noted"
    body = {"reason": "Medically necessary: see notes.", "facts": ["53 minutes documented"]}
    appeal = await client.post(f"/v1/denials/{first}/appeal", json=body, headers=auth)
    assert appeal.status_code == 200 and appeal.json()["status"] == "appealed"
    won = await client.post(
        f"/v1/denials/{first}/outcome", json={"resolution": "overturned", "recovered": "120.00"}, headers=auth
    )
    assert (won.json()["resolution"], won.json()["recovered"]) == ("overturned", "120.00")
    again = await client.post(f"/v1/denials/{first}/write-off", json={"reason": "x"}, headers=auth)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "status"
    wanted = {"action": "write_off", "reason": "under the threshold", "category": "medical_necessity", "status": "open"}
    bulk = await client.post("/v1/denials/bulk", json=wanted, headers=auth)
    assert bulk.status_code == 202 and (bulk.json()["status"], bulk.json()["total"]) == ("queued", 3)
    assert await work_bulk(make_uow) == 1
    job = (await client.get(f"/v1/denials/bulk/{bulk.json()['id']}", headers=auth)).json()
    assert (job["status"], job["done"], job["skipped"]) == ("finished", 3, 0)
    assert await cases_of(client, auth, status="open", category="medical_necessity") == []


async def test_another_tenant_sees_none_of_it_and_bad_input_changes_nothing(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    claim = created("CS0000000920")
    await deliver(make_uow, claim, denied(claim, ("CO", "96", "140"), remarks=("N130",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/denials/{case['id']}", headers=stranger)).status_code == 404
    assert (
        await client.post(f"/v1/denials/{case['id']}/assign", json={"assignee": "x"}, headers=stranger)
    ).status_code == 404
    assert (await client.get("/v1/denials", headers=stranger)).json()["items"] == []
    bad = await client.post(
        f"/v1/denials/{case['id']}/correction",
        json={"reason": "fix", "changes": {"place_of_service": "TELE"}},
        headers=auth,
    )
    assert bad.status_code == 422 and "place_of_service" in bad.json()["errors"][0]["field"]
    assert (await client.get("/v1/denials", params={"cursor": "nonsense"}, headers=auth)).status_code == 422
    unchanged = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert unchanged["status"] == "open" and len(unchanged["history"]) == 1


async def test_a_deadline_coming_close_is_announced_once(make_uow: Callable[[], DenialWork]) -> None:
    claim = created("CS0000000921")
    await deliver(make_uow, claim, rejected(claim, "277CA.A7.562"))  # served 2026-11-02: due 2027-01-31
    for _ in range(2):
        async with make_uow() as uow:
            await warn_due(uow, warn_days=3650)
            await uow.commit()
    warned = [json.loads(p) for p in await outbox(make_uow, "deadline-approaching")]
    assert [w["claim_id"] for w in warned].count(str(claim.claim_id)) == 1


async def test_a_recurring_denial_becomes_a_suggested_rule_that_staff_accept_once(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claims = [created(f"CS00000009{n}", payer="SIMBCX") for n in range(30, 33)]
    for claim in claims[:2]:
        await deliver(make_uow, claim, denied(claim, ("CO", "197", "140"), remarks=("N54",)))
    listed = (await client.get("/v1/scrub-rule-suggestions", headers=auth)).json()["items"]
    assert not [s for s in listed if s["payer_id"] == "SIMBCX"]  # twice is not a pattern yet
    await deliver(make_uow, claims[2], denied(claims[2], ("CO", "197", "140"), remarks=("N54",)))
    (rule,) = [
        s
        for s in (await client.get("/v1/scrub-rule-suggestions", headers=auth)).json()["items"]
        if s["payer_id"] == "SIMBCX"
    ]
    assert (rule["procedure_code"], rule["carc"], rule["condition"], rule["claims"], rule["amount"]) == (
        "90834",
        "CO-197",
        "missing_authorization",
        3,
        "420.00",
    )
    accepted_rule = await client.post(f"/v1/scrub-rule-suggestions/{rule['id']}/accept", headers=auth)
    assert accepted_rule.status_code == 200 and accepted_rule.json()["status"] == "accepted"
    again = await client.post(f"/v1/scrub-rule-suggestions/{rule['id']}/reject", headers=auth)
    assert again.status_code == 409
    (event,) = [json.loads(p) for p in await outbox(make_uow, "accepted") if json.loads(p)["rule_id"] == rule["id"]]
    assert (event["payer_id"], event["code"], event["condition"], event["evidence_claims"]) == (
        "SIMBCX",
        "90834",
        "missing_authorization",
        3,
    )


async def test_a_working_cases_priority_rises_as_its_deadline_nears(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    from decimal import Decimal

    from denial_management.deadlines import priority

    claim = created("CS0000000940")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140")))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    deadline = date.fromisoformat(case["deadline"])
    for days_before in (30, 3, -5):  # a month out, three days out, past it
        day = deadline - timedelta(days=days_before)
        async with make_uow() as uow:
            await uow.cases.reprioritize(day)
            await uow.commit()
        (now,) = [c for c in await cases_of(client, auth) if c["id"] == case["id"]]
        assert now["priority"] == priority(Decimal("140"), deadline, day), days_before


async def test_a_denial_is_never_billed_to_the_patient(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000957")
    await deliver(make_uow, claim, denied(claim, ("CO", "96", "140"), remarks=("N130",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    to_patient = {"resolution": "billed_to_patient"}
    refused = await client.post(f"/v1/denials/{case['id']}/outcome", json=to_patient, headers=auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "resolution"


async def test_a_command_retried_with_its_idempotency_key_is_done_once(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000930")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140")))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    keyed = {**auth, "Idempotency-Key": f"note-{case['id']}"}
    first = await client.post(f"/v1/denials/{case['id']}/notes", json={"text": "records requested"}, headers=keyed)
    again = await client.post(f"/v1/denials/{case['id']}/notes", json={"text": "records requested"}, headers=keyed)
    assert (first.status_code, again.status_code, again.headers.get("Idempotent-Replayed")) == (200, 200, "true")
    assert again.json() == first.json()
    detail = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert [h["action"] for h in detail["history"]].count("noted") == 1


async def test_a_biller_writes_off_only_up_to_the_limit_the_tenant_admin_sets(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    def token(*roles: Role) -> dict[str, str]:
        issued = keys.issuer.issue(tenant_id=TENANT, subject=f"person:{roles[0]}", roles=roles, kind=Kind.PERSON)
        return {"Authorization": f"Bearer {issued}"}

    biller, admin = token(Role.BILLER), token(Role.TENANT_ADMIN)
    claims = [created(f"CS00000009{n}") for n in (30, 31)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    assert (await client.put("/v1/write-off-limit", json={"per_case": "100.00"}, headers=biller)).status_code == 403
    assert (await client.put("/v1/write-off-limit", json={"per_case": "100.00"}, headers=admin)).status_code == 200
    case_ids = [c["id"] for c in await cases_of(client, biller) if c["claim_id"] in {str(c.claim_id) for c in claims}]
    over = await client.post(f"/v1/denials/{case_ids[0]}/write-off", json={"reason": "small"}, headers=biller)
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    wanted = {"action": "write_off", "reason": "small", "category": "medical_necessity", "status": "open"}
    assert (await client.post("/v1/denials/bulk", json=wanted, headers=biller)).status_code == 422
    still_open = {c["id"] for c in await cases_of(client, biller, status="open")}
    assert set(case_ids) <= still_open  # refused whole: nothing written off
    assert (await client.put("/v1/write-off-limit", json={"per_case": "140.00"}, headers=admin)).status_code == 200
    done = await client.post(f"/v1/denials/{case_ids[0]}/write-off", json={"reason": "small"}, headers=biller)
    assert done.status_code == 200 and done.json()["resolution"] == "written_off"
    limit = (await client.get("/v1/write-off-limit", headers=biller)).json()
    assert limit == {"per_case": "140.00", "set_by_admin": True}
