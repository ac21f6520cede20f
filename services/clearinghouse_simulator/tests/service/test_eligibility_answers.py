"""The simulated payers' 271s, read with the platform's 271 reader: a plan that carves mental health out to
another administrator, a payer that states its visit limit only in MSG text, and the AAA cases."""

from typing import Any

from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.eligibility import read_271
from claimstream_platform.x12.eligibility_model import Rejection, Response
from httpx import AsyncClient
from test_clearinghouse_api import enroll, submit
from x12_samples import make_inquiry


async def answers(client: AsyncClient, auth: dict[str, str], payer: str, members: list[str],
                  control: str) -> list[Response]:  # fmt: skip
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
        (Rejection("subscriber", "72", "C", "N"),), (Rejection("subscriber", "42", "R", "N"),),
        (Rejection("subscriber", "75", "C", "N"),),
    ]  # fmt: skip
