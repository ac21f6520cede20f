"""Patient accounts on real PostgreSQL through the API: the projection's shares make the account, the front desk
takes payments (an Idempotency-Key once), a biller adjusts, events go out with the change, and another tenant or
another practice's token finds nothing."""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.context import ACROSS_TENANTS
from claimstream_platform.engines import sessions
from patient_billing.announce import announce_all
from patient_billing.domain import InsuranceWord
from patient_billing.repository import PatientBillingWork
from patient_billing_testkit import OTHER_PRACTICE, OTHER_TENANT, PRACTICE, TENANT, announce, bearer, share
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

D = Decimal


async def published(make_uow: Callable[[], PatientBillingWork]) -> list[tuple[str, dict[str, Any]]]:
    async with make_uow() as uow:
        query = "SELECT event_type, convert_from(payload, 'UTF8') AS body FROM outbox WHERE topic <> 'access.v1'"
        rows = await uow.session.execute(text(query + " ORDER BY seq"))
        return [(row.event_type.split(".")[2], json.loads(row.body)) for row in rows]


async def test_a_desk_payment_goes_to_the_oldest_visit_and_the_account_adds_up(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    first, second = uuid4(), uuid4()
    account = await announce(
        make_uow, share(first, "30.00"), share(second, "45.00", served=date(2026, 3, 9), insurance_open="20.00")
    )
    await announce(make_uow, share(first, "99.00", version=0))  # an older word: ignored
    desk = bearer(keys, "front-desk")
    body = {"amount": "50.00", "method": "cash"}
    paid = await client.post(
        f"/v1/patient-accounts/{account}/payments", json=body, headers=desk | {"Idempotency-Key": "k1"}
    )
    again = await client.post(
        f"/v1/patient-accounts/{account}/payments", json=body, headers=desk | {"Idempotency-Key": "k1"}
    )
    assert paid.status_code == 201, paid.text
    assert again.json() == paid.json()
    found = paid.json()
    assert (D(found["balance"]), D(found["credit"])) == (D("25.00"), 0)
    visits = {v["encounter_id"]: v for v in found["visits"]}
    assert D(visits[str(first)]["open"]) == 0 and D(visits[str(second)]["open"]) == D("25.00")
    assert visits[str(second)]["waiting_for_insurance"] is True
    kinds = [kind for kind, _ in await published(make_uow)]
    assert kinds == ["charged", "charged", "payment-received"]
    aging = (await client.get("/v1/patient-ar", headers=bearer(keys, "biller"))).json()
    assert (D(aging["d0_30"]), D(aging["d31_60"]), aging["accounts"]) == (D("25.00"), 0, 1)  # hers since today
    async with make_uow() as uow:  # a statement asked for it 45 days ago: it ages from then
        await uow.session.execute(text("UPDATE visits SET first_statement_on = current_date - 45"))
        await uow.commit()
    aging = (await client.get("/v1/patient-ar", headers=bearer(keys, "biller"))).json()
    assert (D(aging["d0_30"]), D(aging["d31_60"])) == (0, D("25.00"))


async def test_a_biller_adjusts_with_a_reason_and_the_front_desk_may_not(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    visit = uuid4()
    account = await announce(make_uow, share(visit, "60.00"))
    body = {"encounter_id": str(visit), "kind": "hardship", "amount": "20.00", "reason": "lost her job"}
    refused = await client.post(
        f"/v1/patient-accounts/{account}/adjustments", json=body, headers=bearer(keys, "front-desk")
    )
    assert refused.status_code == 403
    done = await client.post(f"/v1/patient-accounts/{account}/adjustments", json=body, headers=bearer(keys, "biller"))
    assert done.status_code == 201, done.text
    assert D(done.json()["balance"]) == D("40.00")
    too_much = await client.post(
        f"/v1/patient-accounts/{account}/adjustments", json=body | {"amount": "40.01"}, headers=bearer(keys, "biller")
    )
    assert too_much.status_code == 422 and "amount" in too_much.text
    [(_, adjusted)] = [e for e in await published(make_uow) if e[0] == "adjusted"]
    assert adjusted["approved_by"] == "user:biller" and "reason" not in adjusted  # her words stay in the service


async def test_another_tenant_or_practice_finds_nothing(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    account = await announce(make_uow, share(uuid4(), "30.00"))
    for stranger in (bearer(keys, "biller", tenant=OTHER_TENANT), bearer(keys, "biller", practices=[OTHER_PRACTICE])):
        assert (await client.get(f"/v1/patient-accounts/{account}", headers=stranger)).status_code == 404
        listed = await client.get("/v1/patient-accounts", headers=stranger)
        assert listed.status_code == 200 and listed.json()["items"] == []
        payment = {"amount": "5.00", "method": "cash"}
        answer = await client.post(f"/v1/patient-accounts/{account}/payments", json=payment, headers=stranger)
        assert answer.status_code == 404
    mine = await client.get("/v1/patient-accounts", headers=bearer(keys, "biller"))
    assert [item["id"] for item in mine.json()["items"]] == [str(account)]


async def test_an_account_older_than_standings_announces_its_standing_with_its_totals(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    account = await announce(make_uow, share(uuid4(), "30.00"))
    paid = {"amount": "12.00", "method": "cash"}
    desk = bearer(keys, "front-desk")
    assert (await client.post(f"/v1/patient-accounts/{account}/payments", json=paid, headers=desk)).status_code == 201
    async with make_uow() as uow:  # as an upgraded installation has it: money events with no standing
        await uow.session.execute(text("UPDATE accounts SET movements = 0"))
        await uow.commit()
    work = sessions(engine)
    assert await announce_all(lambda: PatientBillingWork(work, ACROSS_TENANTS)) == 1
    assert await announce_all(lambda: PatientBillingWork(work, ACROSS_TENANTS)) == 1  # again: a later opening
    kind, body = (await published(make_uow))[-1]
    assert (kind, body["account_id"], body["totals"]) == (
        "standing-announced",
        str(account),
        {"paid": "12.00", "refunded": "0", "adjusted": "0"},
    )
    assert body["standing"] == {"sequence": 2, "shares": "30.00", "owed": "18.00", "held": "0.00"}


async def test_the_accounts_come_a_page_at_a_time_the_largest_balance_first(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    for patient, amount in (("P-1", "30.00"), ("P-2", "45.00"), ("P-3", "45.00"), ("P-4", "10.00")):
        await announce(make_uow, share(uuid4(), amount, patient=patient))
    biller, seen, pages, cursor = bearer(keys, "biller"), [], 0, None
    while pages == 0 or cursor is not None:
        asked = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        found = (await client.get("/v1/patient-accounts", params=asked, headers=biller)).json()
        seen += [(D(item["balance"]), item["id"]) for item in found["items"]]
        cursor, pages = found["next_cursor"], pages + 1
    assert pages == 2 and len({account for _, account in seen}) == 4
    assert [balance for balance, _ in seen] == [D("45.00"), D("45.00"), D("30.00"), D("10.00")]
    forged = await client.get("/v1/patient-accounts", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=biller)
    assert forged.status_code == 422 and "cursor" in forged.text


async def test_a_visit_whose_patient_was_corrected_stays_on_the_account_it_was_billed_to(
    make_uow: Callable[[], PatientBillingWork],
) -> None:
    visit, hers = uuid4(), uuid4()
    first = await announce(make_uow, share(visit, "30.00", patient="P-7"), share(hers, "10.00", patient="P-8"))
    corrected = await announce(make_uow, share(visit, "35.00", version=2, patient="P-8"))  # P-8's id on the visit
    assert corrected != first
    async with make_uow() as uow:
        rows = await uow.session.execute(text("SELECT encounter_id, account_id, share FROM visits ORDER BY share"))
        placed = {(row.encounter_id, row.account_id, row.share) for row in rows}
    assert placed == {(hers, corrected, D("10.00")), (visit, first, D("35.00"))}  # the new word, on its account


async def test_an_account_saved_with_another_accounts_visit_leaves_that_visit_alone(
    make_uow: Callable[[], PatientBillingWork],
) -> None:
    """The guard of the visits' upsert itself (two accounts writing one visit that neither had when it was read)."""
    visit = uuid4()
    first = await announce(make_uow, share(visit, "30.00", patient="P-9"))
    async with make_uow() as uow:
        [other] = (await uow.accounts.of_patients(TENANT, [(PRACTICE, "P-10")])).values()
        word = InsuranceWord(service_date=date(2026, 3, 2), version=5, share=D("99.00"))
        other.share_changed(visit, word, date(2026, 3, 30))
        await uow.accounts.save(other)
        await uow.commit()
    async with make_uow() as uow:
        row = (await uow.session.execute(text("SELECT account_id, share FROM visits"))).one()
    assert (row.account_id, row.share) == (first, D("30.00"))
