"""Invoices on real PostgreSQL through the API: a month's invoice is the agreement's percentage of that month's
net collections to the cent (payments less a refund and a recoupment), a slow month pays the minimum fee, every
figure traces to the collections it counted, an issued invoice takes a credit note and never changes otherwise,
and another tenant sees none of it."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from billing_office.invoicing import invoice_month
from billing_office.repository import BillingOfficeWork
from billing_office_testkit import (
    OTHER_PRACTICE,
    OTHER_TENANT,
    PRACTICE,
    TENANT,
    bearer,
    consume,
    insurance_paid,
    patient_paid,
    patient_refunded,
    plb,
)
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import add_months, business_date
from claimstream_platform.db import outbox
from sqlalchemy import select

D = Decimal


async def test_a_month_is_invoiced_to_the_cent_and_a_slow_month_pays_the_minimum(
    make_uow: Callable[[], BillingOfficeWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    admin = bearer(keys, "tenant-admin")
    busy = add_months(business_date().replace(day=1), -2)  # two months ago; last month is the slow one
    terms = {"effective_from": str(busy), "insurance_percent": "6.50", "patient_percent": "4.00", "minimum_fee": "250"}
    made = await client.post(
        f"/v1/practices/{PRACTICE}/fee-agreements", json=terms | {"per_statement_fee": "0.50"}, headers=admin
    )
    assert made.status_code == 201, made.text
    day = busy.replace(day=12)
    await consume(
        make_uow,
        insurance_paid("4210.55", day),
        insurance_paid("-130.00", day),  # a reversal
        plb("88.45", "recoupment", day),
        plb("-7.25", "interest", day),  # interest: not counted by this agreement
        patient_paid("640.00", day),
        patient_refunded("35.00", day),
        insurance_paid("500.00", add_months(busy, 1).replace(day=3)),  # the slow month
    )
    ran = await client.post("/v1/invoice-runs", headers=admin)
    assert ran.status_code == 201, ran.text
    first, slow = sorted(ran.json()["items"], key=lambda invoice: invoice["month"])
    assert first["figures"]["insurance_collected"] == "3992.10" and first["figures"]["patient_collected"] == "605.00"
    assert (D(first["figures"]["insurance_fee"]), D(first["figures"]["patient_fee"])) == (D("259.49"), D("24.20"))
    assert D(first["total"]) == D("283.69")  # 3992.10 x 6.5 % = 259.4865; 605.00 x 4 % = 24.20
    assert (D(slow["figures"]["insurance_fee"]), D(slow["figures"]["minimum_top_up"]), D(slow["total"])) == (
        D("32.50"),
        D("217.50"),
        D("250.00"),
    )
    counted = (await client.get(f"/v1/invoices/{first['id']}/collections", headers=admin)).json()
    assert sum(D(row["amount"]) for row in counted if row["kind"] != "interest") == D("3992.10") + D("605.00")
    again = await client.post("/v1/invoice-runs", headers=admin)
    assert again.json()["items"] == []  # issued once
    await _credited_never_altered(client, keys, first, busy)


async def _credited_never_altered(client: httpx.AsyncClient, keys: Keys, first: dict[str, Any], busy: date) -> None:
    admin = bearer(keys, "tenant-admin")
    note = {"amount": "40.00", "reason": "onboarding discount"}
    credited = await client.post(f"/v1/invoices/{first['id']}/credit-notes", json=note, headers=admin)
    assert credited.status_code == 201 and D(credited.json()["credited"]) == D("40.00"), credited.text
    too_much = await client.post(
        f"/v1/invoices/{first['id']}/credit-notes", json={**note, "amount": "243.70"}, headers=admin
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    late = {"effective_from": str(busy), "insurance_percent": "9", "patient_percent": "9"}
    refused = await client.post(f"/v1/practices/{PRACTICE}/fee-agreements", json=late, headers=admin)
    assert refused.status_code == 422 and "invoiced" in refused.text
    pdf = await client.get(f"/v1/invoices/{first['id']}/pdf", headers=admin)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"283.69" in pdf.content
    shown = (await client.get(f"/v1/invoices/{first['id']}", headers=bearer(keys, "biller"))).json()
    assert (D(shown["total"]), D(shown["credited"])) == (D("283.69"), D("40.00"))
    revenue = await client.get("/v1/revenue", params={"first": str(busy), "last": str(busy)}, headers=admin)
    [row] = revenue.json()["items"]
    assert (D(row["invoiced"]), D(row["credited"]), D(row["owed"])) == (D("283.69"), D("40.00"), D("243.69"))
    stranger = bearer(keys, "tenant-admin", tenant=OTHER_TENANT)
    assert (await client.get(f"/v1/invoices/{first['id']}", headers=stranger)).status_code == 404
    assert (await client.get("/v1/invoices", headers=stranger)).json()["items"] == []


async def test_money_recorded_after_its_month_was_invoiced_is_counted_by_the_next_invoice(
    make_uow: Callable[[], BillingOfficeWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    admin = bearer(keys, "tenant-admin")
    three_ago = add_months(business_date().replace(day=1), -3)
    terms = {"effective_from": str(three_ago), "insurance_percent": "10", "patient_percent": "10"}
    assert (
        await client.post(f"/v1/practices/{OTHER_PRACTICE}/fee-agreements", json=terms, headers=admin)
    ).status_code == 201
    await consume(make_uow, insurance_paid("100.00", three_ago.replace(day=5), practice=OTHER_PRACTICE))
    async with make_uow() as uow:
        first = await invoice_month(uow, TENANT, OTHER_PRACTICE, three_ago, business_date())
        await uow.commit()
        events = (await uow.session.execute(select(outbox.c.event_type))).scalars().all()
    assert first is not None and first.total == D("10.00")
    assert "claimstream.invoice.issued.v1" in events
    await consume(make_uow, insurance_paid("50.00", three_ago.replace(day=20), practice=OTHER_PRACTICE))  # late
    ran = (await client.post("/v1/invoice-runs", headers=admin)).json()["items"]
    nxt = min((i for i in ran if i["practice_id"] == str(OTHER_PRACTICE)), key=lambda i: i["month"])
    assert nxt["month"] == str(add_months(three_ago, 1)) and D(nxt["total"]) == D("5.00")
