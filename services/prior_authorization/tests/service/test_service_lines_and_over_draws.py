"""Per-service decisions and over-draws on real PostgreSQL: a 278 asking each code its own units (HSD*FL) stores a
line per service as the payer decided each; an approved 0 stays 0; CT waits for a person; a charge over what a
line approved is recorded, announced (AuthorizationExceeded) and shown, and a void takes it back."""

from collections.abc import Callable
from typing import Any

import httpx
from claimstream_platform.contracts.charge_capture import ChargeVoided
from prior_authorization import charges, handlers
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import PRACTICE, TENANT, Clearinghouse, body, captured, deciding, deciding_each
from test_burn_down import entered, handle
from test_requests import outbox


def per_service(**changes: Any) -> dict[str, Any]:
    asked = {k: v for k, v in body().items() if k not in ("codes", "quantity")}
    return {**asked, "services": [{"code": "96130", "quantity": 2}, {"code": "96131", "quantity": 6}], **changes}


async def test_each_service_is_asked_its_own_units_and_stored_as_a_line_with_its_own_decision(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    clearinghouse.answers = deciding_each("A2", "AUTH61", **{"96130": ("A1", 2, ""), "96131": ("A3", None, "NC")})
    created = await client.post("/v1/authorizations", json=per_service(), headers=auth)
    assert created.status_code == 201, created.text
    found = created.json()
    (sent,) = clearinghouse.sent
    assert "SV1*HC:96130**UN*2~\nHSD*FL*2~" in sent and "SV1*HC:96131**UN*6~\nHSD*FL*6~" in sent
    assert (found["status"], found["authorization_number"], found["approved"], found["partial"]) == (
        "approved",
        "AUTH61",
        2,
        True,
    )
    assert [(x["codes"], x["status"], x["action"], x["approved"], x["reason"]) for x in found["lines"]] == [
        (["96130"], "approved", "A1", 2, ""),
        (["96131"], "denied", "A3", 0, "NC"),
    ]
    read = (await client.get(f"/v1/authorizations/{found['id']}", headers=auth)).json()
    assert read["lines"] == found["lines"]
    ((kind, event),) = await outbox(make_uow)
    assert kind == "approved" and (event["codes"], event["approved"]) == (["96130"], 2)  # what was approved only
    assert [(s["codes"], s["status"]) for s in event["services"]] == [(["96130"], "approved"), (["96131"], "denied")]
    refused = await client.post("/v1/authorizations", json=per_service(codes=["96130"]), headers=auth)
    assert refused.status_code == 422 and "services" in refused.text


async def test_an_approved_zero_stays_zero_and_contact_the_payer_is_not_a_denial(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    clearinghouse: Clearinghouse,
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    clearinghouse.answers = deciding("A2", "AUTH0", quantity=0)
    zero = (await client.post("/v1/authorizations", json=body(), headers=auth)).json()
    assert (zero["status"], zero["approved"], zero["remaining"]) == ("approved", 0, 0)  # not the 8 asked
    clearinghouse.answers = deciding("CT", reason="0U")
    call = (await client.post("/v1/authorizations", json=body(), headers=auth)).json()
    assert (call["status"], call["reason"]) == ("contact", "0U")
    kinds = [(kind, event.get("needs_person")) for kind, event in await outbox(make_uow)]
    assert kinds == [("approved", None), ("pended", True)]
    listed = (await client.get("/v1/authorizations?status=contact", headers=auth)).json()["items"]
    assert [item["id"] for item in listed] == [call["id"]]


async def test_a_charge_over_the_approved_units_is_recorded_announced_and_shown(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    make_uow: Callable[[], PriorAuthorizationWork],
) -> None:
    authorization = await entered(client, auth)  # 5 units of 96130 and 96131
    first, second = captured((("96130", 3),)), captured((("96130", 2), ("96131", 2)))
    for event in (first, second, second):  # the second is redelivered
        await handle(make_uow, charges.on_charge_captured, event)
    read = (await client.get(f"/v1/authorizations/{authorization['id']}", headers=auth)).json()
    assert (read["used"], read["remaining"], read["over"], read["exceeded"]) == (5, 0, 2, True)
    assert [(u["encounter_id"], u["used"], u["over"]) for u in read["uses"]] == [
        (str(first.encounter_id), 3, 0),
        (str(second.encounter_id), 2, 2),
    ]
    exceeded = [event for kind, event in await outbox(make_uow) if kind == "exceeded"]
    assert [(e["encounter_id"], e["codes"], e["used"], e["over"], e["unit"]) for e in exceeded] == [
        (str(second.encounter_id), ["96131"], 2, 2, "units")
    ]
    flagged = (await client.get("/v1/authorizations?exceeded=true", headers=auth)).json()["items"]
    assert [item["id"] for item in flagged] == [authorization["id"]]
    await handle(
        make_uow,
        handlers.on_charge_voided,
        ChargeVoided(
            tenant_id=TENANT,
            practice_id=PRACTICE,
            encounter_id=second.encounter_id,
            version=1,
            external_id=second.external_id,
            service_date=second.service_date,
            reason="corrected",
        ),
    )
    again = (await client.get(f"/v1/authorizations/{authorization['id']}", headers=auth)).json()
    assert (again["used"], again["over"], again["exceeded"]) == (3, 0, False)
