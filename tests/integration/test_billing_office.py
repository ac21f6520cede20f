"""Black box, the billing company's own business: a practice's fee agreement, the payer's payment of its claim
reaching the billing office through Kafka as a collection of this month (by the 835's payment date), and the
month-end run invoicing every month that has ended since the agreement (the minimum fee for months that collected
nothing), with its PDF; another tenant's token finds none of it."""

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
    claim, _ = await claim_for_a_visit(services, keys, tenant, first_name="Ada", last_name="Moreau")
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    [posting, *_] = await postings_of(services, headers, claim["id"])
    practice, this_month = claim["practice_id"], business_date().replace(day=1)
    first = add_months(this_month, -2)
    async with httpx.AsyncClient(base_url=services.billing_office, headers=headers, timeout=10) as office:
        terms = {"effective_from": str(first), "insurance_percent": "6", "patient_percent": "4", "minimum_fee": "250"}
        made = await office.post(f"/v1/practices/{practice}/fee-agreements", json=terms)
        assert made.status_code == 201, made.text
        month = await until(lambda: _collected(office, practice, this_month), "the collection")
        [paid] = [item for item in month["items"] if item["party"] == "insurance"]
        assert (paid["source_id"], paid["kind"], D(paid["amount"])) == (claim["id"], "payment", D(posting["paid"]))
        ran = await office.post("/v1/invoice-runs")
        assert ran.status_code == 201, ran.text
        invoices = sorted(ran.json()["items"], key=lambda invoice: invoice["month"])
        assert [(i["month"], D(i["total"])) for i in invoices] == [
            (str(first), D(250)),
            (str(add_months(first, 1)), D(250)),
        ]
        pdf = await office.get(f"/v1/invoices/{invoices[0]['id']}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    async with httpx.AsyncClient(base_url=services.billing_office, headers=stranger, timeout=10) as other:
        assert (await other.get(f"/v1/invoices/{invoices[0]['id']}")).status_code == 404


async def _collected(office: httpx.AsyncClient, practice: str, month: date) -> dict[str, Any] | None:
    """The month's collections once the payer's payment is among them (Medicare's may be nothing: a deductible)."""
    params = {"month": str(month)}
    found: dict[str, Any] = (await office.get(f"/v1/practices/{practice}/collections", params=params)).json()
    return found if found["items"] else None
