"""The simulated payers' 271s, read with the platform's 271 reader: a plan that carves mental health out to
another administrator (enrolling its member puts them on the administrator's roster too), the administrator's
individual and family deductibles and out-of-pocket maximums with what is used and left, visit limits in HSD
segments with the visits used, a payer that states its visit limit only in MSG text, and the AAA cases."""

from decimal import Decimal
from typing import Any

from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.eligibility import read_271
from claimstream_platform.x12.eligibility_model import Delivery, Rejection, Response
from httpx import AsyncClient
from test_clearinghouse_api import enroll, submit
from x12_samples import make_inquiry


async def answers(
    client: AsyncClient, auth: dict[str, str], payer: str, members: list[str], control: str
) -> list[Response]:
    receipt: dict[str, Any] = await submit(client, auth, make_inquiry("270", members, payer_id=payer, control=control))
    (answer,) = receipt["responses"]
    interchange = parse_interchange(answer)
    ((transaction,),) = [g.transactions for g in interchange.groups]
    return read_271(transaction, interchange.delimiters)


async def test_a_blue_plan_names_its_behavioral_health_administrator(client: AsyncClient, auth: dict[str, str]) -> None:
    await enroll(client, auth, "SIMBCX")
    (response,) = await answers(client, auth, "SIMBCX", ["1EG4TE5MK73"], "311")
    (carve_out,) = [b for b in response.benefits if b.information == "U"]
    assert carve_out.service_types == ("MH",) and "ADMINISTERED BY" in carve_out.messages[0]
    (administrator,) = carve_out.contacts
    assert (administrator.party.identifier, administrator.phone) == ("SIMBHO", "8005550142")
    assert not [b for b in response.benefits if b.information == "B"]  # no cost sharing of its own to tell


async def test_enrolling_a_carve_out_plans_member_puts_them_on_the_administrators_roster(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    enrolled = await enroll(client, auth, "SIMBCX", member_id="CARVE00001")
    assert enrolled["also_enrolled_with"] == ["SIMBHO"]
    there = await client.get("/v1/payers/SIMBHO/members/CARVE00001", headers=auth)
    assert there.status_code == 200, there.text
    assert (there.json()["deductible"], there.json()["copay"]) == ("250.00", "20.00")  # the administrator's plan
    (response,) = await answers(client, auth, "SIMBHO", ["CARVE00001"], "314")
    assert not response.rejections and response.benefits[0].information == "1"
    alone = await enroll(client, auth, "SIMMCD", member_id="MCD0000001")
    assert alone["also_enrolled_with"] == []


async def test_the_administrator_states_family_and_individual_accumulators_and_hsd_visit_limits(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    await enroll(client, auth, "SIMBHO")
    (response,) = await answers(client, auth, "SIMBHO", ["1EG4TE5MK73"], "315")
    stated = {(b.information, b.coverage_level, b.period): b.amount for b in response.benefits if b.information in "CG"}
    assert stated == {
        ("C", "IND", "23"): Decimal(250),
        ("C", "IND", "24"): Decimal(0),
        ("C", "IND", "29"): Decimal(250),
        ("C", "FAM", "23"): Decimal(500),
        ("C", "FAM", "24"): Decimal(350),
        ("C", "FAM", "29"): Decimal(150),
        ("G", "IND", "23"): Decimal(3000),
        ("G", "IND", "24"): Decimal(0),
        ("G", "IND", "29"): Decimal(3000),
        ("G", "FAM", "23"): Decimal(6000),
        ("G", "FAM", "24"): Decimal(350),
        ("G", "FAM", "29"): Decimal(5650),
    }
    limits = [b for b in response.benefits if b.information == "F"]
    assert {b.service_types for b in limits} == {("MH",), ("A6",), ("A8",)}
    assert limits[0].deliveries == (Delivery("VS", Decimal(30), period="23"), Delivery("VS", Decimal(0), period="24"))


async def test_a_coded_visit_limit_gives_the_visits_allowed_used_and_left(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    await enroll(client, auth, "SIMMCD")
    (response,) = await answers(client, auth, "SIMMCD", ["1EG4TE5MK73"], "316")
    counts = [(b.period, b.quantity) for b in response.benefits if b.information == "F" and b.service_types == ("MH",)]
    assert counts == [("23", Decimal(30)), ("24", Decimal(0)), ("29", Decimal(30))]


async def test_an_hmo_states_its_visit_limit_only_in_free_text(client: AsyncClient, auth: dict[str, str]) -> None:
    await enroll(client, auth, "SIMAHP")
    (response,) = await answers(client, auth, "SIMAHP", ["1EG4TE5MK73"], "312")
    assert not [b for b in response.benefits if b.information == "F"]
    texts = [m for b in response.benefits for m in b.messages]
    assert (
        "OUTPATIENT THERAPY LIMITED TO 20 VISITS PER CALENDAR YEAR" in texts and "20 VISITS REMAIN THIS YEAR" in texts
    )


async def test_the_aaa_cases_invalid_member_id_payer_down_and_not_found(
    client: AsyncClient, auth: dict[str, str]
) -> None:
    found = await answers(client, auth, "SIMMCD", ["X1", "RETRY00001", "NOBODY"], "313")
    assert [r.rejections for r in found] == [
        (Rejection("subscriber", "72", "C", "N"),),
        (Rejection("subscriber", "42", "R", "N"),),
        (Rejection("subscriber", "75", "C", "N"),),
    ]
