"""Black box, the billing company's own business: a practice's fee agreement, the payer's payment of its claim
reaching the billing office through Kafka as a collection of this month (by the 835's payment date), the
month-end run invoicing every month that has ended since the agreement (the minimum fee for months that collected
nothing), with its PDF; the bank's file of the day meeting the 835 with its EFT; another tenant's token finds
none of it."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import add_months, business_date
from test_encounter_to_claim import claim_for_a_visit
from test_patient_accounts import until
from test_remittance_flow import postings_of

D = Decimal


async def test_the_payers_money_is_collected_and_the_ended_months_invoiced(services: Services, keys: Keys) -> None:
    tenant = uuid4()
    claim, _ = await claim_for_a_visit(
        services, keys, tenant, first_name="Ada", last_name="Moreau", member={"deductible": "0"}
    )
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    [posting, *_] = await postings_of(services, headers, claim["id"])
    assert D(posting["paid"]) > 0, posting  # her deductible met: Medicare pays, by ACH
    practice, this_month = claim["practice_id"], business_date().replace(day=1)
    first = add_months(this_month, -2)
    async with httpx.AsyncClient(base_url=services.billing_office, headers=headers, timeout=10) as office:
        terms = {"effective_from": str(first), "insurance_percent": "6", "patient_percent": "4", "minimum_fee": "250"}
        made = await office.post(f"/v1/practices/{practice}/fee-agreements", json=terms)
        assert made.status_code == 201, made.text
        month = await until(lambda: _collected(office, practice, this_month), "the collection")
        [paid] = [item for item in month["items"] if item["party"] == "insurance"]
        assert (paid["source_id"], paid["kind"], D(paid["amount"])) == (claim["id"], "payment", D(posting["paid"]))
        ran = await office.post("/v1/invoice-runs")  # the month-end loop (every second here) may be first
        assert ran.status_code == 201, ran.text
        ended = [(str(first), D(250)), (str(add_months(first, 1)), D(250))]
        invoices = await until(lambda: _invoiced(office, practice, len(ended)), "the ended months' invoices")
        assert [(i["month"], D(i["total"])) for i in invoices] == ended
        pdf = await office.get(f"/v1/invoices/{invoices[0]['id']}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    await _the_banks_file_meets_the_era(services, headers, posting["remittance_id"])
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    async with httpx.AsyncClient(base_url=services.billing_office, headers=stranger, timeout=10) as other:
        assert (await other.get(f"/v1/invoices/{invoices[0]['id']}")).status_code == 404


async def _the_banks_file_meets_the_era(services: Services, headers: dict[str, str], remittance_id: str) -> None:
    """The bank's BAI2 file of the day (the simulator plays the bank; its account is every test tenant's, so the
    file holds other tenants' deposits too, which wait unmatched in this one) imported: the 835 meets its EFT."""
    async with httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth) as bank:
        file = await bank.get("/v1/bank/bai2", params={"day": str(business_date())})
    assert file.status_code == 200 and file.text.startswith("01,"), file.text
    async with httpx.AsyncClient(base_url=services.billing_office, headers=headers, timeout=10) as office:
        imported = await office.post("/v1/deposits", content=file.content, headers={"Content-Type": "text/plain"})
        assert imported.status_code == 201 and imported.json()["added"] >= 1, imported.text
        lists = await until(lambda: _matched(office, remittance_id), "the deposit matched")
    assert all(row["id"] != remittance_id for row in lists["eras_waiting"])


async def _matched(office: httpx.AsyncClient, remittance_id: str) -> dict[str, Any] | None:
    lists: dict[str, Any] = (await office.get("/v1/deposits/reconciliation")).json()
    return lists if any(row["remittance_id"] == remittance_id for row in lists["matched"]) else None


async def _invoiced(office: httpx.AsyncClient, practice: str, months: int) -> list[dict[str, Any]] | None:
    found = (await office.get("/v1/invoices", params={"practice_id": practice})).json()["items"]
    invoices = sorted(found, key=lambda invoice: invoice["month"])
    return invoices if len(invoices) >= months else None


async def _collected(office: httpx.AsyncClient, practice: str, month: date) -> dict[str, Any] | None:
    """The month's collections once the payer's payment is among them."""
    params = {"month": str(month)}
    found: dict[str, Any] = (await office.get(f"/v1/practices/{practice}/collections", params=params)).json()
    return found if found["items"] else None
