"""Payment plans on real PostgreSQL: a plan over what she owes, its autopay installment charged through the
processor (a stand-in here) once and posted by the webhook, the plan's balance on her statement, a desk payment
counted toward it, and a plan whose installments go unpaid defaulting back to dunning."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.devstack.mail import delivered
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.dates import business_date
from claimstream_platform.engines import sessions
from patient_billing.mailer import Mailer
from patient_billing.plan_loop import PlanLoop
from patient_billing.plans import plan_for
from patient_billing.repository import PatientBillingWork
from patient_billing_testkit import PRACTICE, TENANT, StandInProcessor, announce, bearer, deliver, event, share
from sqlalchemy.ext.asyncio import AsyncEngine

D = Decimal
NO_MAIL = Mailer("127.0.0.1", 9, "plans@test.example")  # these plans' patients gave no email address


async def test_an_autopay_plan_is_charged_once_posted_by_the_webhook_and_shown_on_the_statement(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    account = await announce(make_uow, share(uuid4(), "100.00"))
    desk = bearer(keys, "front-desk")
    body = {"months": 2, "first_due": str(business_date()), "autopay_method": "pm_card_visa"}
    made = await client.post(f"/v1/patient-accounts/{account}/payment-plans", json=body, headers=desk)
    assert made.status_code == 201, made.text
    assert [i["amount"] for i in made.json()["installments"]] == ["50.00", "50.00"]
    again = await client.post(f"/v1/patient-accounts/{account}/payment-plans", json=body, headers=desk)
    assert again.status_code == 409  # one active plan an account

    processor = StandInProcessor()
    loop = PlanLoop(sessions(engine), processor=processor, mailer=NO_MAIL, pay_at=str, interval=1)  # type: ignore[arg-type]
    await loop.look_at_plans()
    await loop.look_at_plans()  # the same installment is not asked twice
    assert await loop.charge_one() and not await loop.charge_one()
    [(amount, method, key)] = processor.charged
    assert (amount, method) == (D("50.00"), "pm_card_visa")
    succeeded = {"id": f"pi_{key[:12]}", "metadata": {"online_payment_id": key, "tenant_id": str(TENANT)}}
    assert (await deliver(client, event("payment_intent.succeeded", succeeded))).json()["result"] == "applied"

    [plan] = (await client.get(f"/v1/patient-accounts/{account}/payment-plans", headers=desk)).json()
    assert (plan["paid"], plan["left"], plan["status"]) == ("50.00", "50.00", "active")
    await _the_statement_asks_for_the_installment(client, keys, account)
    paid_off = {"amount": "50.00", "method": "cash"}
    await client.post(f"/v1/patient-accounts/{account}/payments", json=paid_off, headers=desk)
    [plan] = (await client.get(f"/v1/patient-accounts/{account}/payment-plans", headers=desk)).json()
    assert plan["status"] == "completed"


async def _the_statement_asks_for_the_installment(client: httpx.AsyncClient, keys: Keys, account: UUID) -> None:
    biller = bearer(keys, "biller")
    ran = await client.post(f"/v1/practices/{PRACTICE}/statement-runs", headers=biller)
    assert ran.json()["outcomes"].get("issued") == 1, ran.text
    [statement] = (await client.get(f"/v1/patient-accounts/{account}/statements", headers=biller)).json()
    assert statement["amount_due"] == "50.00"
    pdf = (await client.get(f"/v1/statements/{statement['id']}/pdf", headers=biller)).content
    assert b"Your payment plan: $50.00 a month; $50.00 left on it." in pdf


async def test_a_plan_whose_installments_go_unpaid_defaults(
    make_uow: Callable[[], PatientBillingWork], client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    account = await announce(make_uow, share(uuid4(), "90.00"))
    long_ago = business_date() - timedelta(days=45)  # made 45 days ago: two installments due, more than ten days late
    async with make_uow() as uow:
        await uow.plans.add(
            TENANT,
            account,
            plan_for(uuid4(), D("90.00"), long_ago, per_month=D("30.00"), months=None, autopay=None),
            "biller",
        )
        await uow.commit()
    loop = PlanLoop(sessions(engine), processor=StandInProcessor(), mailer=NO_MAIL, pay_at=str, interval=1)  # type: ignore[arg-type]
    await loop.look_at_plans()
    [plan] = (await client.get(f"/v1/patient-accounts/{account}/payment-plans", headers=bearer(keys, "biller"))).json()
    assert plan["status"] == "defaulted"
    past = {"per_month": "30.00", "first_due": str(long_ago)}
    refused = await client.post(
        f"/v1/patient-accounts/{account}/payment-plans", json=past, headers=bearer(keys, "biller")
    )
    assert refused.status_code == 422 and "first_due" in refused.text  # a new plan starts today or later


async def test_a_plan_without_autopay_emails_its_reminder_once_a_few_days_before_the_installment(
    make_uow: Callable[[], PatientBillingWork],
    client: httpx.AsyncClient,
    keys: Keys,
    engine: AsyncEngine,
    stack: StackUnderTest,
) -> None:
    account = await announce(make_uow, share(uuid4(), "60.00"))
    desk = bearer(keys, "front-desk")
    contact = {"email": "plan@example.org", "statements_by": "email"}
    assert (await client.put(f"/v1/patient-accounts/{account}/contact", json=contact, headers=desk)).status_code == 200
    first_due = business_date() + timedelta(days=3)
    body = {"months": 2, "first_due": str(first_due)}
    assert (await client.post(f"/v1/patient-accounts/{account}/payment-plans", json=body, headers=desk)).is_success
    mailer = Mailer(*stack.smtp, "plans@test.example")
    loop = PlanLoop(sessions(engine), processor=StandInProcessor(), mailer=mailer, pay_at=str, interval=1)  # type: ignore[arg-type]
    await loop.look_at_plans()
    await loop.look_at_plans()  # the same installment is not queued twice
    assert await loop.remind_one() and not await loop.remind_one()
    assert stack.mail is not None
    [message] = [m for m in delivered(stack.mail) if m["To"] == "plan@example.org"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "$30.00" in text and f"{first_due:%B %d, %Y}" in text
