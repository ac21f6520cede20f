"""The money cases through the API against real PostgreSQL: a member enrolled for paper remittance (adjudicated,
no 835), a payer that wants a new original after a denial, and an overpayment its review takes back many cycles
after the payment."""

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from claimstream_devtools.testing import Keys
from claimstream_platform.dates import business_date
from claimstream_platform.x12 import parse_interchange
from httpx import AsyncClient
from pyx12_check import pyx12_problems
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from test_clearinghouse_api import enroll, inbox, provider_adjustments, submit
from x12_samples import SampleClaim, SampleLine, balance_problems, make_837

RECENT = business_date() - timedelta(days=7)


def claim_numbers(status: dict[str, Any]) -> dict[str, str]:
    """Patient control number -> the payer's claim number (REF*1K), from a payer's 277CA."""
    found, pcn = {}, ""
    for segment in (s for g in parse_interchange(status["content"]).groups for t in g.transactions for s in t.segments):
        if segment.tag == "TRN" and segment.get(1) == "2":
            pcn = segment.get(2)
        elif segment.tag == "REF" and segment.get(1) == "1K":
            found[pcn] = segment.get(2)
    return found


async def test_a_paper_members_claim_is_accepted_and_adjudicated_but_no_835_carries_it(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str]
) -> None:
    paper = await enroll(client, auth, member_id="PAPER1", remittance="paper")
    assert paper["remittance"] == "paper"
    assert (await enroll(client, auth, member_id="EDI1"))["remittance"] == "electronic"  # the default
    read = await client.get("/v1/payers/SIMMCR/members/PAPER1", headers=auth)
    assert read.json()["remittance"] == "paper"
    both = [
        SampleClaim(pcn="PAPERPCN", member_id="PAPER1", service_date=RECENT),
        SampleClaim(pcn="EDIPCN", member_id="EDI1", service_date=RECENT),
    ]
    receipt = await submit(client, auth, make_837(both))
    assert receipt["claims_accepted"] == 2  # the 999 and both 277CAs as for anyone
    _, payer = await inbox(client, auth, "277CA")
    numbers = claim_numbers(payer)
    assert (await client.post("/v1/cycles", headers=operator)).json() == {"claims_adjudicated": 2, "remittances": 1}
    (era,) = await inbox(client, auth, "835")
    assert "CLP*EDIPCN*" in era["content"] and "PAPERPCN" not in era["content"]
    decided = (await client.get(f"/v1/claims/{numbers['PAPERPCN']}", headers=auth)).json()
    assert (decided["status"], decided["remittance"], decided["claim_status"]) == ("adjudicated", "paper", "1")
    (line,) = decided["lines"]
    assert line["code"] == "90834" and Decimal(line["charge"]) == 120
    assert Decimal(line["charge"]) - sum(Decimal(a["amount"]) for a in line["adjustments"]) == Decimal(line["paid"])
    assert {(a["group"], a["reason"]) for a in line["adjustments"]} >= {("CO", "45"), ("PR", "1")}
    online = (await client.get(f"/v1/claims/{numbers['EDIPCN']}", headers=auth)).json()
    assert online["remittance"] == "electronic"


async def test_the_remittance_option_is_checked_and_a_claim_is_read_only_by_its_submitter(
    client: AsyncClient, auth: dict[str, str], clearinghouse_keys: Keys
) -> None:
    response = await client.post(
        "/v1/payers/SIMMCR/members",
        headers=auth,
        json={
            "member_id": "X1",
            "first_name": "A",
            "last_name": "B",
            "birth_date": "1970-01-01",
            "coverage_start": "2026-01-01",
            "remittance": "fax",
        },
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "remittance"
    assert (await client.get("/v1/claims/SIMMCR1", headers=auth)).status_code == 404
    await enroll(client, auth)
    await submit(client, auth, make_837([SampleClaim(service_date=RECENT)]))
    _, payer = await inbox(client, auth, "277CA")
    number = claim_numbers(payer)["PCN0001"]
    assert (await client.get(f"/v1/claims/{number}", headers=auth)).json()["status"] == "accepted"
    stranger = {"Authorization": f"Bearer {clearinghouse_keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/claims/{number}", headers=stranger)).status_code == 404


async def test_a_payer_that_wants_a_new_original_rejects_a_replacement_of_its_denial_and_pays_the_new_original(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str]
) -> None:
    await enroll(client, auth, "SIMMCD", copay="3", deductible="0")
    unmodified = SampleClaim(payer_id="SIMMCD", filing="MC", service_date=RECENT)  # an LCSW's line without HO
    await submit(client, auth, make_837([unmodified], control="1"))
    _, payer = await inbox(client, auth, "277CA")
    number = claim_numbers(payer)["PCN0001"]
    await client.post("/v1/cycles", headers=operator)
    (denial,) = await inbox(client, auth, "835")
    assert "CAS*CO*4*120~" in denial["content"]  # denied whole
    fixed = [SampleLine(modifiers=("HO",))]
    replacement = SampleClaim(
        payer_id="SIMMCD", filing="MC", service_date=RECENT, frequency="7", original_reference=number, lines=fixed
    )
    await submit(client, auth, make_837([replacement], control="2"))
    refused = (await inbox(client, auth, "277CA"))[-1]["content"]
    assert "STC*A7:535*" in refused and pyx12_problems(refused) == []
    new_original = SampleClaim(payer_id="SIMMCD", filing="MC", service_date=RECENT, pcn="PCN0002", lines=fixed)
    await submit(client, auth, make_837([new_original], control="3"))
    assert "STC*A2:20*" in (await inbox(client, auth, "277CA"))[-1]["content"]
    await client.post("/v1/cycles", headers=operator)
    paid = (await inbox(client, auth, "835"))[-1]["content"]
    assert "CLP*PCN0002*1*120*" in paid and "CLP*PCN0001*22*" not in paid and balance_problems(paid) == []


async def test_an_overpayment_the_review_found_is_taken_back_on_the_day_it_is_due_and_only_once(
    client: AsyncClient, auth: dict[str, str], operator: dict[str, str], engine: AsyncEngine
) -> None:
    await enroll(client, auth, "SIMBCX", deductible="0", copay="0", coinsurance="0")
    await submit(client, auth, make_837([SampleClaim(payer_id="SIMBCX", service_date=RECENT)], control="1"))
    _, payer = await inbox(client, auth, "277CA")
    number = claim_numbers(payer)["PCN0001"]
    await client.post("/v1/cycles", headers=operator)
    async with engine.begin() as connection:  # the review picked it, due on day 90; the payers are on day 120
        await connection.execute(text("UPDATE claims SET review_day = 90 WHERE payer_claim_number = :n"), {"n": number})
        await connection.execute(text("SELECT setval('cycle_days', 120)"))
    for control, pcn in (("2", "PCN0002"), ("3", "PCN0003")):
        later = SampleClaim(payer_id="SIMBCX", pcn=pcn, service_date=RECENT - timedelta(days=int(control)))
        await submit(client, auth, make_837([later], control=control))
        await client.post("/v1/cycles", headers=operator)
    _, taken_back, after = [era["content"] for era in await inbox(client, auth, "835")]
    taken = provider_adjustments(taken_back)[f"WO:{number}"]
    assert Decimal("11.20") <= taken <= Decimal("44.80")  # 10 % to 40 % of the 112.00 paid
    assert f"WO:{number}" not in provider_adjustments(after)  # once
    assert balance_problems(taken_back) == [] and pyx12_problems(taken_back) == []
