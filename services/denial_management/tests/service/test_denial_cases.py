"""Cases on real PostgreSQL: opened once per denial, fixed by machine where the fix is determined, resolved by
the payment that answers them, appealed and reopened when the appeal is lost (the work queue: test_work_queue.py)."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import httpx
from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from denial_management.repository import DenialWork
from denial_testkit import (
    PRACTICE,
    SERVED,
    TENANT,
    accepted,
    cases_of,
    created,
    deliver,
    denied,
    outbox,
    paid,
    rejected,
)


async def test_a_denial_delivered_twice_opens_one_case_triaged_with_its_deadline(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000901")
    denial = denied(claim, ("CO", "197", "140"), remarks=("N54",))
    await deliver(make_uow, claim, denial, denial)
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["category"], case["status"], case["automatic"], case["kind"]) == (
        "authorization",
        "open",
        False,
        "denial",
    )
    assert case["codes"] == ["CO-197", "N54"] and case["amount"] == "140.00"
    assert date.fromisoformat(case["deadline"]) == date.fromisoformat(case["denied_on"]) + timedelta(days=60)
    triaged = [json.loads(p) for p in await outbox(make_uow, "triaged")]
    assert [t["claim_id"] for t in triaged].count(str(claim.claim_id)) == 1


async def test_what_is_no_denial_opens_no_case(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
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
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000904", place="10")  # the HMO takes telehealth as 02 only (its terms)
    await deliver(make_uow, claim, denied(claim, ("CO", "16", "140"), remarks=("M77",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["status"], case["automatic"]) == ("correcting", True)
    (request,) = [
        json.loads(p)
        for p in await outbox(make_uow, "correction-requested")
        if json.loads(p)["claim_id"] == str(claim.claim_id)
    ]
    assert request["resubmit_as"] == "replacement" and request["changes"]["place_of_service"] == "02"
    assert request["case_id"] == case["id"]
    replacement = created("CS0000000905", place="02", replaces=claim.claim_id, encounter=claim.encounter_id)
    await deliver(make_uow, replacement, paid(replacement, "95"))
    detail = (await client.get(f"/v1/denials/{case['id']}", headers=auth)).json()
    assert (detail["status"], detail["resolution"], detail["recovered"]) == ("resolved", "corrected_and_paid", "95.00")
    assert [h["action"] for h in detail["history"]] == ["triaged", "correction_requested", "resolved"]


async def test_a_duplicate_of_a_paid_claim_closes_and_timely_filing_with_proof_is_appealed(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    original = created("CS0000000906")
    again = created("CS0000000907", encounter=original.encounter_id)
    late = created("CS0000000908")
    await deliver(
        make_uow,
        original,
        again,
        late,
        paid(original),
        accepted(late),
        denied(again, ("OA", "18", "140")),
        denied(late, ("CO", "29", "140")),
    )
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
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000909")
    await deliver(make_uow, claim, rejected(claim), rejected(claim))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["kind"], case["category"], case["codes"]) == ("rejection", "eligibility", ["277CA.A3.33"])
    assert date.fromisoformat(case["deadline"]) == date(2026, 11, 2) + timedelta(days=90)  # timely filing only


async def test_a_co_197_is_corrected_with_the_authorization_on_file(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000990").model_copy(update={"patient_ref": "p-1"})
    elsewhere = created("CS0000000991").model_copy(update={"patient_ref": "p-2"})
    approval = AuthorizationApproved(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        authorization_id=uuid4(),
        patient_ref="p-1",
        payer_id="SIMAHP",
        authorization_number="PA-31",
        provider_npi="",
        codes=["90834"],
        approved=10,
        unit="visits",
        start=SERVED - timedelta(days=10),
        end=SERVED + timedelta(days=80),
        partial=False,
        source="manual",
    )
    await deliver(
        make_uow,
        claim,
        elsewhere,
        approval,
        denied(claim, ("CO", "197", "140")),
        denied(elsewhere, ("CO", "197", "140")),
    )
    found = {c["claim_id"]: c for c in await cases_of(client, auth)}
    assert (found[str(claim.claim_id)]["status"], found[str(claim.claim_id)]["automatic"]) == ("correcting", True)
    assert (found[str(elsewhere.claim_id)]["status"], found[str(elsewhere.claim_id)]["automatic"]) == ("open", False)
    (request,) = [
        json.loads(p)
        for p in await outbox(make_uow, "correction-requested")
        if json.loads(p)["claim_id"] == str(claim.claim_id)
    ]
    assert request["prior_authorization_number"] == "PA-31" and request["resubmit_as"] == "replacement"


async def test_an_appeal_deadline_counts_from_the_remittances_date(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000952")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140"), paid_on=date(2026, 11, 10)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (case["denied_on"], case["deadline"]) == ("2026-11-10", "2027-01-09")  # the HMO's 60 days


async def test_only_the_claims_payer_paying_the_appealed_line_overturns_it(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
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
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
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


async def test_a_payer_that_refuses_to_replace_a_denied_claim_gets_a_new_original(
    make_uow: Callable[[], DenialWork],
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
