"""Checks on real PostgreSQL, against a stand-in clearinghouse: the 270 sent, the 271's answer stored and
published, the same request twice answered once, other tenants' checks not found, bad input that changes nothing,
and an outage that leaves the check for a retry to finish."""

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.x12.eligibility_model import Benefit, Contact, Party, Rejection
from eligibility.repository import EligibilityWork
from eligibility_testkit import ACTIVE, CARVED_OUT, PRACTICE, Clearinghouse, response, text_271
from sqlalchemy import text

BODY: dict[str, Any] = {
    "practice_id": str(PRACTICE),
    "service_date": "2026-12-03",
    "expected_charge": "140.00",
    "patient": {"external_id": "P-1", "first_name": "Zoë", "last_name": "Núñez", "birth_date": "1990-01-02"},
    "coverage": {"payer_id": "SIMBCX", "member_id": "XJH123456789"},
    "provider": {"npi": "1497758544", "name": "Calm Minds"},
}


def echoing(*benefits: Any, rejections: tuple[Rejection, ...] = ()) -> Callable[[str], list[str]]:
    """A 271 that echoes the 270's trace, as payers do."""

    def answer(sent: str) -> list[str]:
        trace = re.search(r"TRN\*1\*([A-Z0-9]+)\*", sent)
        assert trace is not None
        return [text_271(response(*benefits, rejections=rejections, trace=trace.group(1)))]

    return answer


async def outbox(make_uow: Callable[[], EligibilityWork]) -> list[tuple[str, dict[str, Any]]]:
    async with make_uow() as uow:
        rows = await uow.session.execute(
            text("SELECT event_type, convert_from(payload, 'UTF8') AS body FROM outbox WHERE topic <> 'access.v1'")
        )
        return [(row.event_type, json.loads(row.body)) for row in rows]


async def test_a_check_sends_a_270_and_answers_with_the_benefits_and_their_event(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    clearinghouse.answers = echoing(*ACTIVE)
    created = await client.post("/v1/eligibility-checks", json=BODY, headers=auth)
    assert created.status_code == 201, created.text
    check = created.json()
    assert (check["status"], check["summary"]["copay"], check["summary"]["visits_remaining"]) == ("active", "25", 12)
    (sent,) = clearinghouse.sent
    assert "NM1*IL*1*NUNEZ*ZOE****MI*XJH123456789~" in sent and "EQ*30~" in sent and "EQ*MH~" in sent
    assert (await client.get(f"/v1/eligibility-checks/{check['id']}", headers=auth)).json() == check
    ((kind, event),) = await outbox(make_uow)
    assert kind == "claimstream.eligibility.verified.v1" and event["next_visit_cost"] == "140.00"  # all toward the
    assert check["summary"]["cost"]["basis"] == "charge"  # deductible's 300 left; no allowed amount given
    assert "XJH123456789" not in json.dumps(event) and "Zo" not in json.dumps(event)  # no PHI in events


async def test_a_carve_out_and_an_aaa_publish_what_they_are(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    clearinghouse.answers = echoing(*CARVED_OUT)
    carved = (await client.post("/v1/eligibility-checks", json=BODY, headers=auth)).json()
    assert carved["summary"]["bill_payer_id"] == "SIMBHO"
    async with make_uow() as uow:  # the administrator is asked in turn, by the pending-check loop
        asked = (
            await uow.session.execute(text("SELECT payer_id, status, member_id FROM checks ORDER BY payer_id"))
        ).all()
    assert [tuple(row) for row in asked] == [
        ("SIMBCX", "active", "XJH123456789"),
        ("SIMBHO", "pending", "XJH123456789"),
    ]
    clearinghouse.answers = echoing(rejections=(Rejection("subscriber", "72", "C", "N"),))
    failed = (await client.post("/v1/eligibility-checks", json=BODY, headers=auth)).json()
    assert (failed["status"], failed["summary"]["rejection"], failed["summary"]["retry"]) == ("failed", "72", False)
    kinds = [kind for kind, _ in await outbox(make_uow)]
    assert sorted(kinds) == [
        "claimstream.coverage.carved-out.v1",
        "claimstream.eligibility.check-failed.v1",
        "claimstream.eligibility.verified.v1",
    ]


async def test_a_carve_out_named_by_an_npi_is_left_for_a_person_and_nothing_is_billed_to_it(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    by_npi = Party("PR", "2", "LAKESIDE BH PARTNERS", id_qualifier="XX", identifier="1234567893")
    clearinghouse.answers = echoing(CARVED_OUT[0], Benefit("U", "IND", ("MH",), contacts=(Contact(by_npi),)))
    carved = (await client.post("/v1/eligibility-checks", json=BODY, headers=auth)).json()
    summary = carved["summary"]
    assert (carved["status"], summary["bill_payer_id"], summary["administered_by"]) == ("active", "", None)
    assert summary["carve_out_to_route"] == "LAKESIDE BH PARTNERS (XX 1234567893)"
    async with make_uow() as uow:  # no administrator's check guessed from the NPI
        assert await uow.session.scalar(text("SELECT count(*) FROM checks")) == 1
    ((kind, event),) = await outbox(make_uow)
    assert (kind, event["bill_payer_id"], event["carve_out_to_route"]) == (
        "claimstream.eligibility.verified.v1",
        "",
        "LAKESIDE BH PARTNERS (XX 1234567893)",
    )


async def test_the_next_visit_is_costed_on_the_allowed_amount_given(
    client: httpx.AsyncClient, auth: dict[str, str], clearinghouse: Clearinghouse
) -> None:
    deductible_met = tuple(b for b in ACTIVE if b.information != "C")
    clearinghouse.answers = echoing(*deductible_met, Benefit("C", "IND", ("A6",), period="29", amount=Decimal(0)))
    body = {**BODY, "expected_charge": "180.00", "allowed_amount": "112.00"}
    check = (await client.post("/v1/eligibility-checks", json=body, headers=auth)).json()
    cost = check["summary"]["cost"]
    assert (check["summary"]["next_visit_cost"], cost["basis"], cost["amount"]) == ("25.00", "allowed", "112.00")
    assert cost["steps"][-1] == "The patient pays 25.00."
    assert (await client.get(f"/v1/eligibility-checks/{check['id']}", headers=auth)).json() == check


async def test_the_same_request_twice_asks_the_payer_once(
    client: httpx.AsyncClient, auth: dict[str, str], clearinghouse: Clearinghouse
) -> None:
    clearinghouse.answers = echoing(*ACTIVE)
    headers = {**auth, "Idempotency-Key": "visit-2026-12-03"}
    first = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    again = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert len(clearinghouse.sent) == 1


async def test_other_tenants_and_bad_input_change_nothing(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    keys: Keys,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    clearinghouse.answers = echoing(*ACTIVE)
    check = (await client.post("/v1/eligibility-checks", json=BODY, headers=auth)).json()
    other = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/eligibility-checks/{check['id']}", headers=other)).status_code == 404
    forged = {**BODY, "coverage": {"payer_id": "SIMBCX", "member_id": "X*1~"}}  # a delimiter in the member id
    bad = await client.post("/v1/eligibility-checks", json=forged, headers=auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("member_id")
    two_letters = {**BODY, "service_types": ["30", "ZZ"]}
    unknown_type = await client.post("/v1/eligibility-checks", json=two_letters, headers=auth)
    assert unknown_type.status_code == 422 and unknown_type.json()["errors"][0]["field"] == "service_types.1"
    assert "not an X12 service type code" in unknown_type.json()["errors"][0]["reason"]
    async with make_uow() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM checks")) == 1  # the first check only


async def test_an_outage_answers_503_and_a_retry_with_the_key_finishes_the_check_with_its_first_270(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], EligibilityWork],
) -> None:
    headers = {**auth, "Idempotency-Key": "visit-outage"}
    clearinghouse.down = True
    down = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert (down.status_code, down.headers["retry-after"]) == (503, "7")
    async with make_uow() as uow:  # the question is kept, with the 270 it goes out as
        (waiting,) = (await uow.session.execute(text("SELECT id, status, inquiry FROM checks"))).all()
    assert waiting.status == "pending" and "EQ*MH~" in waiting.inquiry
    clearinghouse.down, clearinghouse.answers = False, echoing(*ACTIVE)
    retried = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert (retried.status_code, retried.json()["id"], retried.json()["status"]) == (201, str(waiting.id), "active")
    assert clearinghouse.sent == [waiting.inquiry]  # the stored 270, byte for byte
    replayed = await client.post("/v1/eligibility-checks", json=BODY, headers=headers)
    assert replayed.json() == retried.json() and len(clearinghouse.sent) == 1
    assert [kind for kind, _ in await outbox(make_uow)] == ["claimstream.eligibility.verified.v1"]
