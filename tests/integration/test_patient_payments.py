"""Black box, the patient pays: her statement is emailed through the stack's SMTP sink with its signed payment link;
she pays half online by card token through the payment processor (the simulator plays it), and the processor's
signed webhook posts it, once however often it comes; a forged webhook and a declined card change nothing; the rest
goes on a plan whose first installment autopay charges through the processor; cash she overpays at the desk pays it
off and is refunded to her card; and the checksum's patient terms follow every dollar."""

import asyncio
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.devstack.mail import delivered
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.dates import business_date
from claimstream_platform.webhooks import HEADER, sign
from test_encounter_to_claim import claim_for_a_visit
from test_patient_accounts import until
from test_remittance_flow import postings_of

D = Decimal


def secret(services: Services, name: str) -> bytes:
    return (Path(services.log_dir) / "payments" / name).read_bytes().strip()


async def emailed_link(stack: StackUnderTest, to: str) -> str:
    async def found() -> str | None:
        assert stack.mail is not None
        mine = [m for m in delivered(stack.mail) if m["To"] == to]
        text = mine[0].get_body(("plain",)).get_content() if mine else ""  # type: ignore[union-attr]
        link = re.search(r"/pay#([A-Za-z0-9_.-]+)", text)
        return link.group(1) if link else None

    return await until(found, "the emailed statement with its link", 30)


async def test_she_pays_half_online_and_the_processors_word_posts_it_once(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    tenant, email = uuid4(), f"pat-{uuid4().hex[:8]}@example.org"
    claim, _ = await claim_for_a_visit(services, keys, tenant, first_name="Noor", last_name="Haddad")
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    assert await postings_of(services, headers, claim["id"])
    async with httpx.AsyncClient(base_url=services.patient_billing, headers=headers, timeout=10) as patients:
        account = await until(lambda: _owing(patients), "an account that owes")
        contact = {"email": email, "statements_by": "email"}
        assert (await patients.put(f"/v1/patient-accounts/{account['id']}/contact", json=contact)).status_code == 200
        ran = await patients.post(f"/v1/practices/{account['practice_id']}/statement-runs")
        assert ran.json()["outcomes"] == {"issued": 1}, ran.text
        link = {"Statement-Link": await emailed_link(stack, email)}
        async with httpx.AsyncClient(base_url=services.patient_billing, headers=link, timeout=10) as her:
            owed = D((await her.get("/v1/statement-link")).json()["owed_now"])
            half = (owed / 2).quantize(D("0.01"))
            declined = await _pay(her, half, "pm_card_chargeDeclined", "page-0001-declined")
            card = {"amount": str(half), "payment_method": "pm_card_visa"}
            paid = await _pay(her, half, "pm_card_visa", "page-0002")
            again = await her.post("/v1/statement-link/payments", json=card, headers={"Idempotency-Key": "page-0002"})
        assert again.json().get("payment_id") == paid.json()["payment_id"], again.text  # retried: one charge
        assert (declined.json()["status"], paid.json()["status"]) == ("requires_payment_method", "succeeded")
        after = await until(lambda: _balance_below(patients, account["id"], owed), "the webhook's payment")
        assert D(after["balance"]) == owed - half
        await _the_webhook_again_and_a_forged_one(services, patients, paid.json()["payment_id"])
        assert D((await patients.get(f"/v1/patient-accounts/{account['id']}")).json()["balance"]) == owed - half
        rest = await _the_rest_by_plan(patients, account["id"], owed - half)
        await _overpaid_cash_goes_back_to_the_card(patients, account["id"], paid.json()["payment_id"], rest)
        [plan] = (await patients.get(f"/v1/patient-accounts/{account['id']}/payment-plans")).json()
        assert plan["status"] == "completed"  # paid off by the cash
    await _the_checksum_follows_her_money(services, headers, owed)


async def _the_rest_by_plan(patients: httpx.AsyncClient, account: str, rest: Decimal) -> Decimal:
    """The rest on a two-month plan with autopay on her card from today: its first installment is charged through
    the processor and posted by its webhook. What is left after it."""
    plan = {"months": 2, "first_due": str(business_date()), "autopay_method": "pm_card_visa"}
    made = await patients.post(f"/v1/patient-accounts/{account}/payment-plans", json=plan)
    assert made.status_code == 201, made.text
    first = D(made.json()["installments"][0]["amount"])
    after = await until(lambda: _balance_below(patients, account, rest), "the plan's first installment, by autopay")
    assert D(after["balance"]) == rest - first
    return rest - first


async def _pay(her: httpx.AsyncClient, amount: Decimal, method: str, key: str) -> httpx.Response:
    """Her payment page's request, sent again with its key while the processor is out of reach (503), as the page
    does: the same payment, charged once."""
    body = {"amount": str(amount), "payment_method": method}
    for _ in range(5):
        made = await her.post("/v1/statement-link/payments", json=body, headers={"Idempotency-Key": key})
        if made.status_code != 503:
            assert made.status_code == 202, made.text
            return made
        await asyncio.sleep(float(made.headers.get("Retry-After", "1")))
    raise AssertionError(f"the processor stayed out of reach: {made.text}")


async def _owing(patients: httpx.AsyncClient) -> dict[str, Any] | None:
    items = (await patients.get("/v1/patient-accounts")).json()["items"]
    return next((a for a in items if D(a["balance"]) > 0), None)


async def _balance_below(patients: httpx.AsyncClient, account: str, owed: Decimal) -> dict[str, Any] | None:
    found: dict[str, Any] = (await patients.get(f"/v1/patient-accounts/{account}")).json()
    return found if D(found["balance"]) < owed else None


async def _the_webhook_again_and_a_forged_one(services: Services, patients: httpx.AsyncClient, payment: str) -> None:
    """The processor's own event for the payment, delivered again (processors deliver at least once), and forged."""
    key = secret(services, "processor-api.key").decode()
    async with httpx.AsyncClient(base_url=services.simulator, headers={"Authorization": f"Bearer {key}"}) as processor:
        events = (await processor.get("/processor/v1/events")).json()
    [succeeded] = [
        e
        for e in events
        if e["data"]["object"]["metadata"].get("online_payment_id") == payment
        and e["type"] == "payment_intent.succeeded"
    ]
    body = json.dumps(succeeded).encode()
    hook = "/v1/processor/webhooks"
    again = await patients.post(
        hook, content=body, headers={HEADER: sign(secret(services, "processor-webhook.secret"), body)}
    )
    forged = await patients.post(hook, content=body, headers={HEADER: sign(b"guessed", body)})
    assert again.json() == {"result": "already settled"} and forged.status_code == 401


async def _overpaid_cash_goes_back_to_the_card(
    patients: httpx.AsyncClient, account: str, card_payment: str, owed: Decimal
) -> None:
    cash = await patients.post(
        f"/v1/patient-accounts/{account}/payments", json={"amount": str(owed + 5), "method": "cash"}
    )
    assert D(cash.json()["credit"]) == 5
    refund = {"amount": "5.00", "payment_id": card_payment}
    assert (await patients.post(f"/v1/patient-accounts/{account}/refunds", json=refund)).status_code == 201

    async def refunded() -> list[Any] | None:
        found = (await patients.get(f"/v1/patient-accounts/{account}")).json()
        return [r for r in found["refunds"] if r["status"] == "refunded"] or None

    [done] = await until(refunded, "the processor's word that the refund went back to the card", 30)
    assert (done["amount"], done["method"]) == ("5.00", "card")
    assert (await patients.get("/v1/credit-balances")).json()["items"] == []


async def _the_checksum_follows_her_money(services: Services, headers: dict[str, str], owed: Decimal) -> None:
    """The ledger's checksum and its patient terms, once the projection has her refund: every dollar she was left
    is paid (half by card, the rest and 5.00 more in cash, the 5.00 refunded), nothing open, nothing held."""

    async def settled() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
            found: dict[str, Any] = (await projection.get("/v1/ledger/check")).json()
        return found if D(found["patients"]["refunded"]) == 5 else None

    check = await until(settled, "the refund in the projection's checksum", 30)
    patients = {k: D(v) for k, v in check["patients"].items() if k not in ("basis", "events_missing")}
    assert (D(check["difference"]), check["patients"]["events_missing"]) == (0, 0)
    assert patients == {
        "share": owed,
        "billed": owed,
        "unbilled": 0,
        "paid": owed + 5,
        "refunded": 5,
        "adjusted": 0,
        "open": 0,
        "credit": 0,
        "difference": 0,
    }
