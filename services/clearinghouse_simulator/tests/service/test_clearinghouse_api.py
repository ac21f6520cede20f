"""The clearinghouse API against real PostgreSQL: submit, acknowledge, adjudicate, remit, correct (278 answers:
test_review_answers_api.py)."""

from datetime import timedelta
from decimal import Decimal
from hashlib import sha256
from typing import Any
from uuid import uuid4

from claimstream_devtools.testing import Keys
from claimstream_platform.dates import business_date
from claimstream_platform.x12 import parse_interchange
from httpx import AsyncClient
from pyx12_check import pyx12_problems
from x12_samples import SampleClaim, SampleLine, balance_problems, make_837, make_inquiry

RECENT = business_date() - timedelta(days=7)  # inside every payer's timely filing window
MEMBER = {
    "member_id": "1EG4TE5MK73",
    "first_name": "JANE",
    "last_name": "DOE",
    "birth_date": "1970-01-31",
    "coverage_start": "2026-01-01",
}


async def enroll(client: AsyncClient, auth: dict[str, str], payer: str = "SIMMCR", **changes: Any) -> dict[str, Any]:
    response = await client.post(f"/v1/payers/{payer}/members", json={**MEMBER, **changes}, headers=auth)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def submit(client: AsyncClient, auth: dict[str, str], text: str) -> dict[str, Any]:
    response = await client.post("/v1/interchanges", content=text, headers=auth)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def inbox(client: AsyncClient, auth: dict[str, str], kind: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/inbox?kind={kind}", headers=auth)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def a_paid_claim_number(client: AsyncClient, auth: dict[str, str]) -> str:
    """A clean commercial claim submitted and accepted: the payer's claim number from its 277CA (REF*1K)."""
    await enroll(client, auth, "SIMBCX", deductible="0")
    await submit(client, auth, make_837([SampleClaim(payer_id="SIMBCX", service_date=RECENT)], control="1"))
    _, status = await inbox(client, auth, "277CA")
    return next(
        s.get(2)
        for g in parse_interchange(status["content"]).groups
        for t in g.transactions
        for s in t.segments
        if s.tag == "REF" and s.get(1) == "1K"
    )


def provider_adjustments(era: str) -> dict[str, Decimal]:
    """PLB reason:reference -> amount, over every PLB of an 835."""
    found = {}
    for segment in era.split("~\n"):
        if segment.startswith("PLB*"):
            elements = segment.split("*")
            found.update({elements[i]: Decimal(elements[i + 1]) for i in range(3, len(elements) - 1, 2)})
    return found


async def test_payers_say_who_they_are(client: AsyncClient, auth: dict[str, str]) -> None:
    payers = (await client.get("/v1/payers", headers=auth)).json()
    assert {(p["payer_id"], p["kind"]) for p in payers} == {
        ("SIMMCR", "medicare"),
        ("SIMMCD", "medicaid"),
        ("SIMBCX", "commercial"),
        ("SIMAHP", "commercial"),
        ("SIMBHO", "commercial"),  # the Blue plan's behavioral-health administrator
    }
    assert (await client.get("/v1/payers")).status_code == 401


async def test_a_clean_claim_is_acknowledged_accepted_adjudicated_and_paid(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str]
) -> None:
    await enroll(client, auth)
    receipt = await submit(client, auth, make_837([SampleClaim(), SampleClaim(pcn="PCN2", member_id="NOBODY")]))
    (ack,) = receipt["acknowledgments"]
    assert "AK9*A*1*1*1~" in ack and pyx12_problems(ack) == []
    assert (receipt["claims_accepted"], receipt["claims_rejected"]) == (1, 1)
    clearinghouse, payer = await inbox(client, auth, "277CA")  # the clearinghouse's, then the payer's own
    assert (
        "NM1*AY*2*" in clearinghouse["content"] and clearinghouse["content"].count("STC*A1:19*") == 4
    )  # receiver, provider, 2 claims
    assert "NM1*PR*2*" in payer["content"]
    assert "STC*A2:20" in payer["content"] and "STC*A3:33:IL" in payer["content"]  # the payer knows no NOBODY
    assert pyx12_problems(clearinghouse["content"]) == [] and pyx12_problems(payer["content"]) == []
    cycle = (await client.post("/v1/cycles", headers=operator)).json()
    assert cycle == {"claims_adjudicated": 1, "remittances": 1}
    (era,) = await inbox(client, auth, "835")
    assert balance_problems(era["content"]) == [] and pyx12_problems(era["content"]) == []
    assert "CLP*PCN0001*1*120*" in era["content"]  # Medicare: LCSW at 75 % of 103.11, deductible first
    member = (await client.get("/v1/payers/SIMMCR/members/1EG4TE5MK73", headers=auth)).json()
    assert (Decimal(member["deductible_met"]), member["visits_used"]) == (Decimal("77.33"), 1)
    assert (await client.post("/v1/cycles", headers=operator)).json()["claims_adjudicated"] == 0


async def test_the_inbox_belongs_to_its_submitter(
    client: AsyncClient, auth: dict[str, str], clearinghouse_keys: Keys
) -> None:
    await enroll(client, auth)
    await submit(client, auth, make_837([SampleClaim()]))
    document, payer = await inbox(client, auth, "277CA")
    stranger = {"Authorization": f"Bearer {clearinghouse_keys.issuer.issue(tenant_id=uuid4())}"}
    assert await inbox(client, stranger, "277CA") == []
    assert (await client.post(f"/v1/inbox/{document['id']}/ack", headers=stranger)).status_code == 404
    assert (await client.post(f"/v1/inbox/{document['id']}/ack", headers=auth)).status_code == 204
    assert (await client.post(f"/v1/inbox/{document['id']}/ack", headers=auth)).status_code == 204
    assert await inbox(client, auth, "277CA") == [payer]


async def test_an_acknowledgment_answers_no_content_and_its_idempotency_key_replays_it(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    await enroll(client, auth)
    await submit(client, auth, make_837([SampleClaim()]))
    document, payer = await inbox(client, auth, "277CA")
    keyed = {**auth, "Idempotency-Key": "ack-1"}
    first = await client.post(f"/v1/inbox/{document['id']}/ack", headers=keyed)
    again = await client.post(f"/v1/inbox/{document['id']}/ack", headers=keyed)
    assert (first.status_code, first.content, first.headers.get("content-type")) == (204, b"", None)
    assert (again.status_code, again.content, again.headers.get("content-type")) == (204, b"", None)
    assert again.headers.get("Idempotent-Replayed") == "true"  # the command runner answered, and committed
    assert await inbox(client, auth, "277CA") == [payer]


async def test_the_same_interchange_control_number_twice_is_refused(client: AsyncClient, auth: dict[str, str]) -> None:
    text = make_837([SampleClaim()], control="555")
    await submit(client, auth, text)
    again = await client.post("/v1/interchanges", content=text, headers=auth)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "ISA13"
    assert again.json()["content_sha256"] == sha256(text.encode()).hexdigest()  # so the sender can tell a retry
    assert len(await inbox(client, auth, "277CA")) == 2  # the clearinghouse's and the payer's, once


async def test_claimstream_tokens_are_refused_the_simulator_has_its_own(
    client: AsyncClient, keys: Keys, auth: dict[str, str]
) -> None:
    claimstream = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get("/v1/inbox", headers=claimstream)).status_code == 401
    assert (await client.get("/v1/inbox", headers=auth)).status_code == 200


async def test_only_an_operator_runs_a_cycle(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str]
) -> None:
    assert (await client.post("/v1/cycles", headers=auth)).status_code == 403
    assert (await client.post("/v1/cycles", headers=operator)).status_code == 200


async def test_a_roster_belongs_to_the_submitter_that_enrolled_it(
    client: AsyncClient, auth: dict[str, str], clearinghouse_keys: Keys
) -> None:
    await enroll(client, auth)
    other = {"Authorization": f"Bearer {clearinghouse_keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get("/v1/payers/SIMMCR/members/1EG4TE5MK73", headers=other)).status_code == 404
    assert (await client.get("/v1/payers/SIMMCR/members/1EG4TE5MK73", headers=auth)).status_code == 200
    await submit(client, other, make_837([SampleClaim()], control="901"))
    _, payer = await inbox(client, other, "277CA")
    assert "STC*A3:33:IL*" in payer["content"]  # the other submitter's claim finds no member of its own


async def test_an_inbox_id_out_of_range_is_422_not_500(client: AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post("/v1/inbox/9223372036854775808/ack", headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.document_id"


async def test_an_unreadable_interchange_names_the_segment_and_changes_nothing(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    text = make_837([SampleClaim()]).replace("IEA*1*000000101", "IEA*1*000000102")
    response = await client.post("/v1/interchanges", content=text, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("(IEA)")
    assert "IEA02 does not match ISA13" in response.json()["detail"]
    assert (await client.post("/v1/interchanges", content=b"\xff\xfe", headers=auth)).status_code == 422
    assert await inbox(client, auth, "277CA") == []
    assert (await client.post("/v1/interchanges", content=make_837([SampleClaim()]), headers=auth)).status_code == 200


async def test_a_structurally_bad_transaction_is_rejected_in_the_999(client: AsyncClient, auth: dict[str, str]) -> None:
    text = make_837([SampleClaim()]).replace("HI*ABK:F331~\n", "")
    receipt = await submit(client, auth, text)
    ack = receipt["acknowledgments"][0]
    assert "IK3*HI*" in ack and "IK5*R*" in ack and "AK9*R*1*1*0~" in ack
    assert receipt["claims_accepted"] == 0 and await inbox(client, auth, "277CA") == []


async def test_a_replacement_reverses_the_original_and_a_resubmitted_duplicate_is_denied(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str]
) -> None:
    claim_number = await a_paid_claim_number(client, auth)
    await client.post("/v1/cycles", headers=operator)
    duplicate = make_837([SampleClaim(payer_id="SIMBCX", pcn="PCN9", service_date=RECENT)], control="2")
    replacement = make_837(
        [
            SampleClaim(
                payer_id="SIMBCX",
                service_date=RECENT,
                frequency="7",
                original_reference=claim_number,
                lines=[SampleLine(charge=Decimal("150"))],
            )
        ],
        control="3",
    )
    await submit(client, auth, duplicate)
    await submit(client, auth, replacement)
    await client.post("/v1/cycles", headers=operator)
    eras = await inbox(client, auth, "835")
    assert len(eras) == 2
    second = eras[1]["content"]
    assert "CLP*PCN0001*22*-120*" in second and "CLP*PCN0001*1*150*" in second
    assert "CLP*PCN9*1*120*0**12*" in second and "CAS*OA*18*120~" in second  # processed, denied as a duplicate
    assert balance_problems(second) == [] and pyx12_problems(second) == []


async def test_a_270_gets_a_271_with_mental_health_benefits(client: AsyncClient, auth: dict[str, str]) -> None:
    await enroll(client, auth, "SIMMCD", copay="3", deductible="0")
    receipt = await submit(client, auth, make_inquiry("270", ["1EG4TE5MK73", "NOBODY"]))
    assert "AK9*A*1*1*1~" in receipt["acknowledgments"][0]
    (answer,) = receipt["responses"]
    segments = [s for g in parse_interchange(answer).groups for t in g.transactions for s in t.segments]
    benefits = [s.elements for s in segments if s.tag == "EB"]
    assert ("1", "IND", "30", "MC", "SIMULATED STATE MEDICAID") in benefits
    assert ("B", "IND", "MH", "", "", "27", "3") in benefits  # $3 co-payment per visit
    assert ("F", "IND", "MH", "", "", "29", "", "", "VS", "30") in benefits  # 30 visits left
    assert ("1", "IND", "A6", "", "", "", "", "", "", "", "Y") in benefits  # EB11: authorization required
    assert not [b for b in benefits if b[0] == "CB"]  # CB is a benefit type of its own, not "authorization"
    assert [s.elements for s in segments if s.tag == "AAA"] == [("N", "", "75", "C")]  # the unknown member
    assert [(s.get(2), s.get(3)) for s in segments if s.tag == "TRN"] == [
        ("T3010", "9CLAIMSTRM"),
        ("T3011", "9CLAIMSTRM"),
    ]
    assert [d["content"] for d in await inbox(client, auth, "271")] == [answer]


async def test_a_void_carries_a_balance_forward_that_the_next_835_takes_back(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str]
) -> None:
    claim_number = await a_paid_claim_number(client, auth)
    await client.post("/v1/cycles", headers=operator)
    void = SampleClaim(payer_id="SIMBCX", service_date=RECENT, frequency="8", original_reference=claim_number)
    await submit(client, auth, make_837([void], control="2"))
    await client.post("/v1/cycles", headers=operator)
    later = SampleClaim(payer_id="SIMBCX", pcn="PCN7", service_date=RECENT - timedelta(days=1))
    await submit(client, auth, make_837([later], control="3"))
    await client.post("/v1/cycles", headers=operator)
    _, voided, next_era = [era["content"] for era in await inbox(client, auth, "835")]
    carried = provider_adjustments(voided)[f"FB:{claim_number}"]
    assert carried < 0  # the 835 pays nothing and names the voided claim
    assert provider_adjustments(next_era)[f"FB:{claim_number}"] == -carried  # taken back from the next payment
    for era in (voided, next_era):
        assert balance_problems(era) == [] and pyx12_problems(era) == []


async def test_a_claim_is_a_duplicate_only_of_its_own_submitters_claims(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str], clearinghouse_keys: Keys
) -> None:
    """Each submitter has a roster of its own: the same member id, provider and service from another submitter
    (another tenant, another test run on the same database) is its own claim, paid, not OA-18."""
    other = {"Authorization": f"Bearer {clearinghouse_keys.issuer.issue(tenant_id=uuid4())}"}
    for headers, control in ((auth, "1"), (other, "2")):
        await enroll(client, headers, "SIMBCX", deductible="0")
        await submit(client, headers, make_837([SampleClaim(payer_id="SIMBCX", service_date=RECENT)], control=control))
        await client.post("/v1/cycles", headers=operator)
    for headers in (auth, other):
        (era,) = await inbox(client, headers, "835")
        assert "CAS*OA*18" not in era["content"] and "CLP*PCN0001*1*120*" in era["content"]
