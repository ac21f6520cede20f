"""The payment processor's webhooks on real PostgreSQL: a payment asked through a statement's link is posted when
the signed webhook says it succeeded, once however often it is delivered; a forged or stale signature changes
nothing; a card refund of a copay the payer said was not owed leaves the credit, and a refusal brings it back."""

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import add_months
from claimstream_platform.engines import sessions
from claimstream_platform.webhooks import sign
from patient_billing.refund_loop import RefundLoop
from patient_billing.repository import PatientBillingWork
from patient_billing_testkit import SECRETS, TENANT, StandInProcessor, announce, bearer, deliver, event, share
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

SECRET = SECRETS["processor-webhook.secret"]


async def asked_online(make_uow: Callable[[], PatientBillingWork], account: UUID, amount: str) -> UUID:
    """What the link's route records before it asks the processor (card_payments.pay_by_link)."""
    payment_id = uuid4()
    async with make_uow() as uow:
        found = await uow.accounts.lock(TENANT, account)
        statement = type("Statement", (), {"tenant_id": TENANT, "account_id": found.id, "id": uuid4()})
        await uow.online.request_payment(statement, payment_id, Decimal(amount))
        await uow.online.intent_created(payment_id, f"pi_{payment_id.hex[:12]}")
        await uow.commit()
    return payment_id


async def test_a_signed_webhook_posts_the_payment_once_and_a_forged_one_nothing(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys
) -> None:
    account = await announce(make_uow, share(uuid4(), "100.00"))
    payment = await asked_online(make_uow, account, "50.00")
    intent = {"id": f"pi_{payment.hex[:12]}", "status": "succeeded", "amount": 5000}
    intent["metadata"] = {"online_payment_id": str(payment), "tenant_id": str(TENANT)}
    body = event("payment_intent.succeeded", intent)
    forged = await deliver(client, body, signature=sign(b"not-the-secret", body))
    stale = await deliver(client, body, signature=sign(SECRET, body, at=int(time.time()) - 3600))
    assert (forged.status_code, stale.status_code) == (401, 401) and "signature" in forged.text
    first, again = await deliver(client, body), await deliver(client, body)
    assert (first.json(), again.json()) == ({"result": "applied"}, {"result": "already settled"})
    found = (await client.get(f"/v1/patient-accounts/{account}", headers=bearer(keys, "biller"))).json()
    assert Decimal(found["balance"]) == Decimal("50.00")


async def test_a_copay_not_owed_is_refunded_to_the_card_and_a_refused_refund_is_credit_again(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    visit = uuid4()
    account = await announce(make_uow, share(uuid4(), "10.00"))
    payment = await asked_online(make_uow, account, "10.00")
    intent = {"id": f"pi_{payment.hex[:12]}", "metadata": {"online_payment_id": str(payment), "tenant_id": str(TENANT)}}
    assert (await deliver(client, event("payment_intent.succeeded", intent))).json()["result"] == "applied"
    biller = bearer(keys, "biller")
    desk = {"amount": "25.00", "method": "card_present", "encounter_id": str(visit)}
    assert (await client.post(f"/v1/patient-accounts/{account}/payments", json=desk, headers=biller)).status_code == 201
    await announce(make_uow, share(visit, "0.00", version=2))  # the payer says the copay was not owed
    [listed] = (await client.get("/v1/credit-balances", headers=biller)).json()["items"]
    assert (listed["account_id"], Decimal(listed["credit"]), listed["age_days"]) == (str(account), Decimal(25), 0)
    assert (listed["state"], listed["reportable_on"]) == (None, None)  # no address known: no date guessed
    async with make_uow() as uow:  # her address, as charge capture gives it: in Florida (five years)
        await uow.statements.set_contact(TENANT, account, name="N H", address={"state": "FL"})
        await uow.commit()
    [listed] = (await client.get("/v1/credit-balances", headers=biller)).json()["items"]
    since = date.fromisoformat(listed["since"])
    assert (listed["state"], listed["reportable_on"]) == ("FL", str(add_months(since, 60)))

    await refund_to_the_card(client, biller, account, payment, engine)


async def refund_to_the_card(
    client: httpx.AsyncClient, biller: dict[str, str], account: UUID, payment: UUID, engine: AsyncEngine
) -> None:
    refunds = f"/v1/patient-accounts/{account}/refunds"
    loop = RefundLoop(sessions(engine), processor=StandInProcessor(Decimal(10)), interval=1)  # type: ignore[arg-type]
    first = await client.post(refunds, json={"amount": "10.00", "payment_id": str(payment)}, headers=biller)
    assert first.status_code == 201 and Decimal(first.json()["credit"]) == 15
    assert await loop.send_one() and not await loop.send_one()
    refund_id = await _only_refund_id(engine)
    done = event(
        "refund.created",
        {"id": "re_1", "status": "succeeded", "metadata": {"refund_id": str(refund_id), "tenant_id": str(TENANT)}},
    )
    assert (await deliver(client, done)).json()["result"] == "refunded"
    second = await client.post(refunds, json={"amount": "15.00", "payment_id": str(payment)}, headers=biller)
    assert Decimal(second.json()["credit"]) == 0
    assert await loop.send_one()  # the processor refuses more than the card paid: her credit is back
    found = (await client.get(f"/v1/patient-accounts/{account}", headers=biller)).json()
    assert (Decimal(found["credit"]), Decimal(found["unapplied"])) == (15, 15)
    by_check = await client.post(refunds, json={"amount": "15.00", "check_number": "1042"}, headers=biller)
    assert Decimal(by_check.json()["credit"]) == 0


async def _only_refund_id(engine: AsyncEngine) -> UUID:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT id FROM refunds"))).scalar_one()


async def test_a_charge_the_processor_never_answered_stops_holding_her_balance(
    make_uow: Callable[[], PatientBillingWork], engine: AsyncEngine
) -> None:
    """A link payment recorded and then lost to a processor outage (no intent): counted as on its way for some
    minutes, so a second page cannot pay it twice; then no longer, so it cannot block her account for good."""
    account = await announce(make_uow, share(uuid4(), "80.00"))
    taken = await asked_online(make_uow, account, "30.00")
    async with make_uow() as uow:
        lost = uuid4()
        statement = type("Statement", (), {"tenant_id": TENANT, "account_id": account, "id": uuid4()})
        await uow.online.request_payment(statement, lost, Decimal("20.00"))
        await uow.commit()
        assert await uow.online.pending(TENANT, account) == Decimal("50.00")
    async with engine.begin() as db:
        old = "UPDATE online_payments SET created_at = now() - interval '11 minutes' WHERE id IN (:lost, :taken)"
        await db.execute(text(old), {"lost": lost, "taken": taken})
    async with make_uow() as uow:
        assert await uow.online.pending(TENANT, account) == Decimal("30.00")  # the processor's intent still counts
