"""Payer enrollment and credentialing records on real PostgreSQL through the API: an enrollment per payer, NPI and
TIN and kind of transaction, changed in place and announced as it stands; its tasks, overdue past their date; a
credential refused when active without a date; the checks a practice turns on per payer; a silent payer shown
with the status of its ERA enrollment; another tenant seeing none of it."""

import json
from collections.abc import Callable
from datetime import date, timedelta

import httpx
from billing_office.enrollment_work import on_payer_silent
from billing_office.repository import BillingOfficeWork
from billing_office_testkit import OTHER_TENANT, PRACTICE, TENANT, bearer
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts.remittance_posting import PayerSilent
from claimstream_platform.dates import business_date
from claimstream_platform.db import outbox
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

ENROLLMENTS = f"/v1/practices/{PRACTICE}/enrollments"


async def test_an_enrollment_is_kept_per_transaction_changed_in_place_and_announced(
    make_uow: Callable[[], BillingOfficeWork], client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    biller = bearer(keys, "biller")
    era = {"payer_id": "SIMBCX", "npi": "1679576722", "tax_id": "987654321", "transaction": "remittance"}
    made = await client.put(
        ENROLLMENTS, json=era | {"status": "submitted", "requested_effective": "2027-01-01"}, headers=biller
    )
    assert made.status_code == 200, made.text
    active = await client.put(ENROLLMENTS, json=era | {"status": "active"}, headers=biller)
    assert active.status_code == 422 and active.json()["errors"][0]["field"] == "effective_from"
    changed = await client.put(
        ENROLLMENTS, json=era | {"status": "pending", "clearinghouse": "Availity"}, headers=biller
    )
    assert changed.json()["id"] == made.json()["id"]  # the same record, changed
    task = {"title": "send the signed EFT authorization", "due_on": str(business_date() - timedelta(days=2))}
    added = await client.post(f"/v1/enrollments/{made.json()['id']}/tasks", json=task, headers=biller)
    assert added.status_code == 201 and added.json()["overdue"] is True, added.text
    [listed] = (await client.get(ENROLLMENTS, headers=biller)).json()
    assert (listed["status"], listed["clearinghouse"], listed["tasks"][0]["overdue"]) == ("pending", "Availity", True)
    done = await client.post(f"/v1/enrollment-tasks/{added.json()['id']}/done", headers=biller)
    assert done.json()["overdue"] is False and done.json()["done_on"] is not None
    announced = await _events(engine, "claimstream.enrollment.changed.v1")
    assert [e["status"] for e in announced] == ["submitted", "pending"]
    await _silent_with_its_era_enrollment(make_uow, client, keys)
    stranger = bearer(keys, "tenant-admin", tenant=OTHER_TENANT)
    assert (
        await client.post(f"/v1/enrollments/{made.json()['id']}/tasks", json=task, headers=stranger)
    ).status_code == 404


async def _silent_with_its_era_enrollment(
    make_uow: Callable[[], BillingOfficeWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    silent = PayerSilent(
        tenant_id=TENANT,
        payer_id="SIMBCX",
        claims_waiting=7,
        oldest_accepted_on=date(2026, 10, 1),
        last_payment_on=None,
    )
    async with make_uow() as uow:
        await on_payer_silent(silent, uow)
        await uow.commit()
    [shown] = (await client.get("/v1/silent-payers", headers=bearer(keys, "biller"))).json()
    assert (shown["payer_id"], shown["claims_waiting"], shown["remittance_enrollments"]) == ("SIMBCX", 7, ["pending"])


async def test_credentials_and_checks_are_announced_for_claim_submission(
    client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    biller, admin = bearer(keys, "biller"), bearer(keys, "tenant-admin")
    span = {"npi": "1245319599", "payer_id": "SIMAHP", "state": "OR", "status": "active"}
    refused = await client.put(f"/v1/practices/{PRACTICE}/credentials", json=span, headers=biller)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "effective_from"
    backwards = span | {"effective_from": "2026-06-01", "effective_to": "2026-05-01"}
    assert (
        await client.put(f"/v1/practices/{PRACTICE}/credentials", json=backwards, headers=biller)
    ).status_code == 422
    kept = await client.put(
        f"/v1/practices/{PRACTICE}/credentials", json=span | {"effective_from": "2026-01-01"}, headers=biller
    )
    assert kept.status_code == 200, kept.text
    checks = {"enrollment": True, "credentialing": True}
    assert (
        await client.put(f"/v1/practices/{PRACTICE}/payers/SIMAHP/checks", json=checks, headers=biller)
    ).status_code == 403
    assert (
        await client.put(f"/v1/practices/{PRACTICE}/payers/SIMAHP/checks", json=checks, headers=admin)
    ).status_code == 200
    assert (await client.get(f"/v1/practices/{PRACTICE}/payer-checks", headers=biller)).json() == {"SIMAHP": checks}
    [credential] = await _events(engine, "claimstream.credential.changed.v1")
    [set_] = await _events(engine, "claimstream.payer-checks.set.v1")
    assert (credential["state"], credential["effective_from"], set_["credentialing"]) == ("OR", "2026-01-01", True)


async def _events(engine: AsyncEngine, event_type: str) -> list[dict[str, object]]:
    async with engine.connect() as db:
        query = select(outbox.c.payload).where(outbox.c.event_type == event_type).order_by(outbox.c.seq)
        rows = (await db.execute(query)).all()
    return [json.loads(row.payload) for row in rows]
