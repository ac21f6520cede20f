"""Cases on real PostgreSQL: opened once per denial, fixed by machine where the fix is determined, resolved by
the payment that answers them; the work queue in priority order, scoped to its tenant."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from claimstream_platform.db import UnitOfWork
from denial_management.deadline_loop import warn_due
from denial_testkit import PRACTICE, SERVED, TENANT, accepted, created, deliver, denied, outbox, paid, rejected


async def cases_of(client: httpx.AsyncClient, auth: dict[str, str], **query: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/denials", params={"limit": 200, **query}, headers=auth)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_denial_delivered_twice_opens_one_case_triaged_with_its_deadline(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000901")
    denial = denied(claim, ("CO", "197", "140"), remarks=("N54",))
    await deliver(make_uow, claim, denial, denial)
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["category"], case["status"], case["automatic"], case["kind"]) == (
        "authorization", "open", False, "denial",
    )  # fmt: skip
    assert case["codes"] == ["CO-197", "N54"] and case["amount"] == "140.00"
    assert date.fromisoformat(case["deadline"]) == date.fromisoformat(case["denied_on"]) + timedelta(days=60)
    triaged = [json.loads(p) for p in await outbox(make_uow, "triaged")]
    assert [t["claim_id"] for t in triaged].count(str(claim.claim_id)) == 1


async def test_what_is_no_denial_opens_no_case(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """Announcements from before denials were classified: a contractual write-off, a deductible, a prior payer."""
    contractual, deductible, prior = created("CS0000000902"), created("CS0000000903"), created("CS0000000951")
    await deliver(
        make_uow,
        contractual,
        deductible,
        prior,
        denied(contractual, ("CO", "45", "140")),
        denied(deductible, ("CO", "45", "40"), ("PR", "1", "100")),
        denied(prior, ("OA", "23", "140")),
    )
    opened = {c["claim_id"] for c in await cases_of(client, auth)}
    assert not opened & {str(c.claim_id) for c in (contractual, deductible, prior)}


async def test_a_wrong_telehealth_place_is_corrected_and_the_replacements_payment_resolves_the_case(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000904", place="10")  # the HMO takes telehealth as 02 only (its terms)
    await deliver(make_uow, claim, denied(claim, ("CO", "16", "140"), remarks=("M77",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["status"], case["automatic"]) == ("correcting", True)
    (request,) = [json.loads(p) for p in await outbox(make_uow, "correction-requested")
                  if json.loads(p)["claim_id"] == str(claim.claim_id)]  # fmt: skip
    assert request["resubmit_as"] == "replacement" and request["changes"]["place_of_service"] == "02"
    assert request["case_id"] == case["id"]
    replacement = created("CS0000000905", place="02", replaces=claim.claim_id, encounter=claim.encounter_id)
    await deliver(make_uow, replacement, paid(replacement, "95"))
    detail = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert (detail["status"], detail["resolution"], detail["recovered"]) == ("resolved", "corrected_and_paid", "95.00")
    assert [h["action"] for h in detail["history"]] == ["triaged", "correction_requested", "resolved"]


async def test_a_duplicate_of_a_paid_claim_closes_and_timely_filing_with_proof_is_appealed(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    original = created("CS0000000906")
    again = created("CS0000000907", encounter=original.encounter_id)
    late = created("CS0000000908")
    await deliver(make_uow, original, again, late, paid(original), accepted(late),
                  denied(again, ("OA", "18", "140")), denied(late, ("CO", "29", "140")))  # fmt: skip
    found = {c["claim_id"]: c for c in await cases_of(client, auth)}
    assert found[str(again.claim_id)]["resolution"] == "closed_informational"
    appealed = found[str(late.claim_id)]
    assert (appealed["status"], appealed["automatic"]) == ("appealed", True)
    detail = (await client.get(f"/v1/denials/{appealed['id']}", headers=auth)).json()
    (appeal,) = detail["appeals"]
    assert (
        "277CA" in appeal["packet"]["facts"][0]
        and appeal["packet"]["claim"]["patient_control_number"] == "CS0000000908"
    )
    letter = await client.get(f"/v1/denials/{appealed['id']}/appeals/{appeal['id']}/letter", headers=auth)
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")


async def test_a_rejection_is_a_case_of_its_own_kind(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000909")
    await deliver(make_uow, claim, rejected(claim), rejected(claim))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["kind"], case["category"], case["codes"]) == ("rejection", "eligibility", ["277CA.A3.33"])
    assert date.fromisoformat(case["deadline"]) == date(2026, 11, 2) + timedelta(days=90)  # timely filing only


async def test_the_queue_is_in_priority_order_and_staff_work_it(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claims = [created(f"CS00000009{n}") for n in range(10, 14)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    queue = await cases_of(client, auth, status="open", category="medical_necessity")
    assert [c["priority"] for c in queue] == sorted((c["priority"] for c in queue), reverse=True)
    first = queue[0]["id"]
    page = (await client.get("/v1/denials", params={"limit": 2, "category": "medical_necessity"}, headers=auth)).json()
    rest = (await client.get("/v1/denials", params={"limit": 200, "category": "medical_necessity",
                                                    "cursor": page["next_cursor"]}, headers=auth)).json()  # fmt: skip
    assert len(page["items"]) == 2 and {c["id"] for c in page["items"]}.isdisjoint(c["id"] for c in rest["items"])
    assigned = await client.post(f"/v1/denials/{first}/assign", json={"assignee": "ana@billing"}, headers=auth)
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "ana@billing"
    noted = await client.post(f"/v1/denials/{first}/notes", json={"text": "records requested"}, headers=auth)
    assert [h["action"] for h in noted.json()["history"]][-1] == "noted"
    body = {"reason": "Medically necessary: see notes.", "facts": ["53 minutes documented"]}
    appeal = await client.post(f"/v1/denials/{first}/appeal", json=body, headers=auth)
    assert appeal.status_code == 200 and appeal.json()["status"] == "appealed"
    won = await client.post(f"/v1/denials/{first}/outcome", json={"resolution": "overturned", "recovered": "120.00"},
                            headers=auth)  # fmt: skip
    assert (won.json()["resolution"], won.json()["recovered"]) == ("overturned", "120.00")
    again = await client.post(f"/v1/denials/{first}/write-off", json={"reason": "x"}, headers=auth)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "status"
    wanted = {"action": "write_off", "reason": "under the threshold", "category": "medical_necessity", "status": "open"}
    bulk = await client.post("/v1/denials/bulk", json=wanted, headers=auth)
    assert bulk.status_code == 200 and len(bulk.json()["cases"]) == 3
    assert await cases_of(client, auth, status="open", category="medical_necessity") == []


async def test_another_tenant_sees_none_of_it_and_bad_input_changes_nothing(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    claim = created("CS0000000920")
    await deliver(make_uow, claim, denied(claim, ("CO", "96", "140"), remarks=("N130",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/denials/{case['id']}", headers=stranger)).status_code == 404
    assert (await client.post(f"/v1/denials/{case['id']}/assign", json={"assignee": "x"},
                              headers=stranger)).status_code == 404  # fmt: skip
    assert (await client.get("/v1/denials", headers=stranger)).json()["items"] == []
    bad = await client.post(f"/v1/denials/{case['id']}/correction",
                            json={"reason": "fix", "changes": {"place_of_service": "TELE"}}, headers=auth)  # fmt: skip
    assert bad.status_code == 422 and "place_of_service" in bad.json()["errors"][0]["field"]
    assert (await client.get("/v1/denials", params={"cursor": "nonsense"}, headers=auth)).status_code == 422
    unchanged = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert unchanged["status"] == "open" and len(unchanged["history"]) == 1


async def test_a_deadline_coming_close_is_announced_once(make_uow: Callable[[], UnitOfWork]) -> None:
    claim = created("CS0000000921")
    await deliver(make_uow, claim, rejected(claim, "277CA.A7.562"))  # served 2026-11-02: due 2027-01-31
    for _ in range(2):
        async with make_uow() as uow:
            await warn_due(uow, warn_days=3650)
            await uow.commit()
    warned = [json.loads(p) for p in await outbox(make_uow, "deadline-approaching")]
    assert [w["claim_id"] for w in warned].count(str(claim.claim_id)) == 1


async def test_a_recurring_denial_becomes_a_suggested_rule_that_staff_accept_once(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claims = [created(f"CS00000009{n}", payer="SIMBCX") for n in range(30, 33)]
    for claim in claims[:2]:
        await deliver(make_uow, claim, denied(claim, ("CO", "197", "140"), remarks=("N54",)))
    listed = (await client.get("/v1/scrub-rule-suggestions", headers=auth)).json()
    assert not [s for s in listed if s["payer_id"] == "SIMBCX"]  # twice is not a pattern yet
    await deliver(make_uow, claims[2], denied(claims[2], ("CO", "197", "140"), remarks=("N54",)))
    (rule,) = [s for s in (await client.get("/v1/scrub-rule-suggestions", headers=auth)).json()
               if s["payer_id"] == "SIMBCX"]  # fmt: skip
    assert (rule["procedure_code"], rule["carc"], rule["condition"], rule["claims"], rule["amount"]) == (
        "90834", "CO-197", "missing_authorization", 3, "420.00",
    )  # fmt: skip
    accepted_rule = await client.post(f"/v1/scrub-rule-suggestions/{rule['id']}/accept", headers=auth)
    assert accepted_rule.status_code == 200 and accepted_rule.json()["status"] == "accepted"
    again = await client.post(f"/v1/scrub-rule-suggestions/{rule['id']}/reject", headers=auth)
    assert again.status_code == 409
    (event,) = [json.loads(p) for p in await outbox(make_uow, "accepted") if json.loads(p)["rule_id"] == rule["id"]]
    assert (event["payer_id"], event["code"], event["condition"], event["evidence_claims"]) == (
        "SIMBCX", "90834", "missing_authorization", 3,
    )  # fmt: skip


async def test_a_working_cases_priority_rises_as_its_deadline_nears(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    from decimal import Decimal

    from denial_management.deadlines import priority
    from denial_management.repository import cases as store

    claim = created("CS0000000940")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140")))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    deadline = date.fromisoformat(case["deadline"])
    for days_before in (30, 3, -5):  # a month out, three days out, past it
        day = deadline - timedelta(days=days_before)
        async with make_uow() as uow:
            await store.reprioritize(uow, day)
            await uow.commit()
        (now,) = [c for c in await cases_of(client, auth) if c["id"] == case["id"]]
        assert now["priority"] == priority(Decimal("140"), deadline, day), days_before


async def test_a_co_197_is_corrected_with_the_authorization_on_file(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000990").model_copy(update={"patient_ref": "p-1"})
    elsewhere = created("CS0000000991").model_copy(update={"patient_ref": "p-2"})
    approval = AuthorizationApproved(tenant_id=TENANT, practice_id=PRACTICE, authorization_id=uuid4(),
                                     patient_ref="p-1", payer_id="SIMAHP", authorization_number="PA-31",
                                     provider_npi="", codes=["90834"], approved=10, unit="visits",
                                     start=SERVED - timedelta(days=10), end=SERVED + timedelta(days=80), partial=False,
                                     source="manual")  # fmt: skip
    await deliver(make_uow, claim, elsewhere, approval, denied(claim, ("CO", "197", "140")),
                  denied(elsewhere, ("CO", "197", "140")))  # fmt: skip
    found = {c["claim_id"]: c for c in await cases_of(client, auth)}
    assert (found[str(claim.claim_id)]["status"], found[str(claim.claim_id)]["automatic"]) == ("correcting", True)
    assert (found[str(elsewhere.claim_id)]["status"], found[str(elsewhere.claim_id)]["automatic"]) == ("open", False)
    (request,) = [json.loads(p) for p in await outbox(make_uow, "correction-requested")
                  if json.loads(p)["claim_id"] == str(claim.claim_id)]  # fmt: skip
    assert request["prior_authorization_number"] == "PA-31" and request["resubmit_as"] == "replacement"


async def test_an_appeal_deadline_counts_from_the_remittances_date(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000952")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140"), paid_on=date(2026, 11, 10)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["denied_on"], case["deadline"]) == ("2026-11-10", "2027-01-09")  # the HMO's 60 days


async def test_only_the_claims_payer_paying_the_appealed_line_overturns_it(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000953")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140"), level="line", line_number=1))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    body = {"reason": "Medically necessary: see the notes.", "facts": ["53 minutes documented"]}
    assert (await client.post(f"/v1/denials/{case['id']}/appeal", json=body, headers=auth)).status_code == 200
    await deliver(make_uow, paid(claim, "20", payer="SIMMCD", lines=((1, "20"),)))  # a crossover payer's share
    await deliver(make_uow, paid(claim, "30", lines=((2, "30"),)))  # the payer pays another line
    detail = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert detail["status"] == "appealed"
    await deliver(make_uow, paid(claim, "120", lines=((1, "120"),)))
    detail = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert (detail["status"], detail["resolution"], detail["recovered"]) == ("resolved", "overturned", "120.00")


async def test_a_lost_appeal_reopens_its_case_and_a_denied_correction_hands_over_to_a_new_one(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    appealed, corrected = created("CS0000000954"), created("CS0000000955", place="10")
    await deliver(make_uow, appealed, corrected, denied(appealed, ("CO", "50", "140")))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(appealed.claim_id)]
    body = {"reason": "Medically necessary: see the notes.", "facts": []}
    await client.post(f"/v1/denials/{case['id']}/appeal", json=body, headers=auth)
    await deliver(make_uow, denied(appealed, ("CO", "50", "140")))  # the payer's answer, in a later 835
    found = [c for c in await cases_of(client, auth) if c["claim_id"] == str(appealed.claim_id)]
    assert [(c["id"], c["status"]) for c in found] == [(case["id"], "open")]  # no second case for the same denial
    await deliver(make_uow, denied(corrected, ("CO", "16", "140"), remarks=("M77",)))  # corrected by machine
    replacement = created("CS0000000956", place="02", replaces=corrected.claim_id, encounter=corrected.encounter_id)
    await deliver(make_uow, replacement, denied(replacement, ("CO", "50", "140")))
    (earlier,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(corrected.claim_id)]
    (later,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(replacement.claim_id)]
    assert (earlier["status"], earlier["resolution"], later["status"]) == ("resolved", "denied_again", "open")


async def test_a_denial_is_never_billed_to_the_patient(
    make_uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000957")
    await deliver(make_uow, claim, denied(claim, ("CO", "96", "140"), remarks=("N130",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    to_patient = {"resolution": "billed_to_patient"}
    refused = await client.post(f"/v1/denials/{case['id']}/outcome", json=to_patient, headers=auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "resolution"


async def test_a_payer_that_refuses_to_replace_a_denied_claim_gets_a_new_original(
    make_uow: Callable[[], UnitOfWork],
) -> None:
    """The Medicaid plan wants a new claim (frequency 1) after a denial of the whole claim, not a replacement."""
    whole, line = created("CS0000000958", payer="SIMMCD", place="10"), created("CS0000000959", place="10")
    await deliver(
        make_uow,
        whole,
        line,
        denied(whole, ("CO", "16", "140"), remarks=("M77",)),
        denied(line, ("CO", "16", "140"), remarks=("M77",), level="line", line_number=1),
    )
    requests = {json.loads(p)["claim_id"]: json.loads(p) for p in await outbox(make_uow, "correction-requested")}
    assert requests[str(whole.claim_id)]["resubmit_as"] == "new_original"
    assert requests[str(line.claim_id)]["resubmit_as"] == "replacement"  # the HMO replaces
