"""Black box, the patient's side: a visit billed and paid through the stack leaves the patient a share; her account
at patient billing holds it to the cent as the projection's patient ledger does, and a payment at the desk lowers
what she owes there (docs/patient-billing.md)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from test_encounter_to_claim import claim_for_a_visit
from test_remittance_flow import postings_of

T = TypeVar("T")


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"no {what} within {timeout} s")


async def test_the_patients_account_holds_what_the_ledger_left_her_and_takes_her_payment(
    services: Services, keys: Keys
) -> None:
    tenant = uuid4()
    claim, _ = await claim_for_a_visit(services, keys, tenant, first_name="Agnès", last_name="Ólafsdóttir")
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    assert await postings_of(services, headers, claim["id"]), "the payer's 835 was not posted"
    async with (
        httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection,
        httpx.AsyncClient(base_url=services.patient_billing, headers=headers, timeout=10) as patients,
    ):

        async def ledger() -> list[dict[str, Any]] | None:
            items = (await projection.get("/v1/balances/patients")).json()["items"]
            return [i for i in items if Decimal(i["balance"]) > 0] or None

        [owed] = await until(ledger, "patient balance in the projection")

        async def agreeing() -> dict[str, Any] | None:  # the account follows the projection's announcement
            items = (await patients.get("/v1/patient-accounts")).json()["items"]
            return next((a for a in items if Decimal(a["balance"]) == Decimal(owed["balance"])), None)

        listed = await until(agreeing, "the patient's account agreeing with the ledger")
        account = (await patients.get(f"/v1/patient-accounts/{listed['id']}")).json()
        assert account["patient_ref"] == owed["patient_ref"]
        assert Decimal(account["balance"]) == Decimal(owed["balance"]) > 0
        [visit] = account["visits"]
        assert visit["encounter_id"] == claim["encounter_id"] and visit["waiting_for_insurance"] is False

        payment = {"amount": "10.00", "method": "card_present", "encounter_id": visit["encounter_id"]}
        paid = await patients.post(f"/v1/patient-accounts/{listed['id']}/payments", json=payment)
        assert paid.status_code == 201, paid.text
        assert Decimal(paid.json()["balance"]) == Decimal(owed["balance"]) - 10
