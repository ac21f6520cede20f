"""Requests on real PostgreSQL, against a stand-in clearinghouse: the 278 sent and its decision stored and
published, the same request twice sent once, a pended request followed until decided, one entered by hand, other
tenants' and practices' authorizations not found, bad input that changes nothing, and an outage that leaves the
request for a retry to finish."""

import json
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys, StackUnderTest, register_practices
from claimstream_platform.context import ACROSS_TENANTS, acting_as
from prior_authorization.follow_loop import OpenRequests
from prior_authorization.handlers import Sender
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import OTHER_PRACTICE, Clearinghouse, body, deciding
from sqlalchemy import text


async def outbox(make_uow: Callable[[], PriorAuthorizationWork]) -> list[tuple[str, dict[str, Any]]]:
    async with make_uow() as uow:
        rows = await uow.session.execute(
            text("SELECT event_type, convert_from(payload, 'UTF8') AS body FROM outbox WHERE topic <> 'access.v1'")
        )
        return [(row.event_type.split(".")[2], json.loads(row.body)) for row in rows]


async def test_a_request_sends_a_278_and_answers_with_the_decision_and_its_event(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    clearinghouse.answers = deciding("A2", "AUTH501", quantity=6)
    asked = body(patient={**body()["patient"], "last_name": "Nú*ñez~"})
    created = await client.post("/v1/authorizations", json=asked, headers={**auth, "Idempotency-Key": "pa-1"})
    assert created.status_code == 201, created.text
    found = created.json()
    assert (found["status"], found["authorization_number"], found["approved"], found["partial"]) == (
        "approved",
        "AUTH501",
        6,
        True,
    )
    (sent,) = clearinghouse.sent  # the name's accents and delimiters written safely
    assert "NM1*IL*1*NU NEZ*ZOE****MI*XJH123456789~" in sent
    assert "UM*HS*I*MH*11:B~" in sent and "HI*ABK:F900~" in sent
    assert "HSD*FL*8~" in sent and "SV1*HC:96130~" in sent and "HSD*UN" not in sent  # 8 units the codes share
    again = await client.post("/v1/authorizations", json=asked, headers={**auth, "Idempotency-Key": "pa-1"})
    assert again.json() == found and len(clearinghouse.sent) == 1
    read = (await client.get(f"/v1/authorizations/{found['id']}", headers=auth)).json()
    assert read["uses"] == [] and read["remaining"] == 6
    ((kind, event),) = await outbox(make_uow)
    assert kind == "approved" and event["authorization_number"] == "AUTH501" and event["codes"] == ["96130", "96131"]
    assert "XJH123456789" not in json.dumps(event) and "Zo" not in json.dumps(event)  # no PHI in events


async def test_a_pended_request_is_followed_until_the_payer_decides(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    clearinghouse.answers = deciding("A4", reason="0U")
    pended = (await client.post("/v1/authorizations", json=body(), headers=auth)).json()
    assert (pended["status"], pended["reason"]) == ("pended", "0U")
    clearinghouse.answers = deciding("A1", "AUTH777")
    loop = OpenRequests(
        client._transport.app.state.platform.across_tenants,  # as the worker's loop: the across-tenants role
        clearinghouse,  # type: ignore[attr-defined]
        Sender("CSAUTHORIZE", "SIM"),
        interval=1,
        pended_wait=0,
    )
    with acting_as(ACROSS_TENANTS):  # as the loop's pass runs (`PeriodicLoop.run`): it sweeps every tenant
        assert await loop.ask_one() and not await loop.ask_one()
    decided = (await client.get(f"/v1/authorizations/{pended['id']}", headers=auth)).json()
    assert (decided["status"], decided["authorization_number"]) == ("approved", "AUTH777")
    assert clearinghouse.traces()[0] == clearinghouse.traces()[1]  # the same request asked again
    assert [kind for kind, _ in await outbox(make_uow)] == ["pended", "approved"]


async def test_one_entered_by_hand_is_approved_and_scoped_to_its_tenant_and_practices(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    practice_auth: dict[str, str],
    keys: Keys,
) -> None:
    manual = {**body(OTHER_PRACTICE), "authorization_number": "PHONE-42", "approved": 8}
    entered = (await client.post("/v1/authorizations/manual", json=manual, headers=auth)).json()
    assert (entered["status"], entered["source"], entered["authorization_number"]) == ("approved", "manual", "PHONE-42")
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/authorizations/{entered['id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/authorizations/{entered['id']}", headers=practice_auth)).status_code == 404
    listed = (await client.get(f"/v1/authorizations?practice_id={OTHER_PRACTICE}", headers=auth)).json()["items"]
    assert [item["id"] for item in listed] == [entered["id"]]


async def test_bad_input_changes_nothing(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    forged = body(coverage={"payer_id": "SIMMCD", "member_id": "X*1~"})  # a delimiter in the member id
    refused = await client.post("/v1/authorizations", json=forged, headers=auth)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert "member_id" in refused.text
    backwards = await client.post("/v1/authorizations", json=body(start="2027-01-01", end="2026-12-01"), headers=auth)
    assert backwards.status_code == 422 and "end must fall" in backwards.text
    assert clearinghouse.sent == []
    async with make_uow() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM authorizations")) == 0
    assert await outbox(make_uow) == []


async def test_an_outage_answers_503_and_a_retry_with_the_key_finishes_the_request_with_its_first_278(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    headers = {**auth, "Idempotency-Key": "pa-outage"}
    clearinghouse.down = True
    outage = await client.post("/v1/authorizations", json=body(), headers=headers)
    assert outage.status_code == 503 and outage.headers["retry-after"] == "7"
    async with make_uow() as uow:  # the request is kept, with the 278 it goes out as
        (waiting,) = (await uow.session.execute(text("SELECT id, status, inquiry FROM authorizations"))).all()
    assert waiting.status == "requested" and "UM*HS*I*MH*11:B~" in waiting.inquiry
    assert await outbox(make_uow) == []
    clearinghouse.down, clearinghouse.answers = False, deciding("A1", "AUTH502")
    retried = await client.post("/v1/authorizations", json=body(), headers=headers)
    assert (retried.status_code, retried.json()["id"], retried.json()["status"]) == (201, str(waiting.id), "approved")
    assert clearinghouse.sent == [waiting.inquiry]  # the stored 278, byte for byte
    replayed = await client.post("/v1/authorizations", json=body(), headers=headers)
    assert replayed.json() == retried.json() and len(clearinghouse.sent) == 1
    assert [kind for kind, _ in await outbox(make_uow)] == ["approved"]


async def test_a_token_for_one_practice_cannot_enter_or_request_an_authorization_for_another(
    client: httpx.AsyncClient, auth: dict[str, str], practice_auth: dict[str, str]
) -> None:
    """Issue 26, N5: practice scope holds on writes; the refusal is 404 (another practice is never confirmed)."""
    manual = {**body(OTHER_PRACTICE), "authorization_number": "PHONE-43", "approved": 8}
    refused = await client.post("/v1/authorizations/manual", json=manual, headers=practice_auth)
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (404, "practice_id")
    asked = await client.post("/v1/authorizations", json=body(OTHER_PRACTICE), headers=practice_auth)
    assert asked.status_code == 404
    listed = (await client.get(f"/v1/authorizations?practice_id={OTHER_PRACTICE}", headers=auth)).json()["items"]
    assert listed == []


async def test_another_tenants_practice_is_refused_as_one_that_never_existed(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    stack: StackUnderTest,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    """Issue 26: a tenant-wide token cannot file an authorization under another tenant's practice, nor ask a payer
    in its name; the answer is the one for a practice that never existed."""
    clearinghouse.answers = deciding("A1", "AUTH778")
    theirs, never = uuid4(), uuid4()
    await register_practices(stack, {uuid4(): [theirs]})
    by_phone = {"authorization_number": "PHONE-44", "approved": 8}
    answers = {
        practice: [
            await client.post("/v1/authorizations", json=body(practice), headers=auth),
            await client.post("/v1/authorizations/manual", json={**body(practice), **by_phone}, headers=auth),
        ]
        for practice in (theirs, never)
    }
    seen = {p: [(a.status_code, a.json()["detail"], a.json()["errors"]) for a in found] for p, found in answers.items()}
    refused = (404, "practice not found", [{"field": "practice_id", "reason": "practice not found"}])
    assert seen[theirs] == seen[never] == [refused, refused]
    assert clearinghouse.sent == [] and await outbox(make_uow) == []
    async with make_uow() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM authorizations")) == 0
