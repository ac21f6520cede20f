"""Statements on real PostgreSQL and a real SMTP server (the stack's sink): one statement lists both of a patient's
visits (a deductible and a coinsurance) with why she owes each; a practice runs once a day; the email carries the
PDF; the PDF says what she owes and why; a patient who wants paper is in the day's batch for the mail house; a
second run the same day sends nobody a second statement."""

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.devstack.mail import delivered
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.dates import business_date
from claimstream_platform.engines import sessions
from patient_billing.mailer import Mailer
from patient_billing.repository import PatientBillingWork
from patient_billing.statement_loop import StatementLoop
from patient_billing.wording import explain
from patient_billing_testkit import PRACTICE, announce, bearer, share
from sqlalchemy.ext.asyncio import AsyncEngine

RUNS = f"/v1/practices/{PRACTICE}/statement-runs"


async def test_one_statement_for_both_visits_emailed_with_its_pdf_and_paper_for_the_mail_house(
    make_uow: Callable[[], PatientBillingWork],
    client: httpx.AsyncClient,
    keys: Keys,
    stack: StackUnderTest,
    engine: AsyncEngine,
) -> None:
    emailed = await announce(
        make_uow,
        share(uuid4(), "100.00", reason="1", served=date(2026, 10, 5)),
        share(uuid4(), "30.00", reason="2", served=date(2026, 10, 19)),
    )
    on_paper = await announce(make_uow, share(uuid4(), "45.00", patient="P-2"))
    await announce(make_uow, share(uuid4(), "3.00", patient="P-3"))  # below the minimum
    await announce(make_uow, share(uuid4(), "60.00", patient="P-4", insurance_open="90.00"))  # insurance owes yet
    desk, biller = bearer(keys, "front-desk"), bearer(keys, "biller")
    contact = {"email": "ana@example.org", "statements_by": "email"}
    assert (await client.put(f"/v1/patient-accounts/{emailed}/contact", json=contact, headers=desk)).status_code == 200

    ran = await client.post(RUNS, headers=biller)
    assert ran.status_code == 201, ran.text
    outcomes = ran.json()["outcomes"]
    assert outcomes == {"issued": 2, "below_minimum": 1, "waiting_for_insurance": 1}
    again = (await client.post(RUNS, headers=biller)).json()["outcomes"]  # one statement a cycle, however many runs
    assert again == {"stated_this_cycle": 2, "below_minimum": 1, "waiting_for_insurance": 1}

    await the_statement_says_what_and_why(client, biller, emailed)
    await it_is_emailed_once_with_its_pdf(client, biller, emailed, stack, engine)
    await paper_goes_to_the_mail_house(client, biller, on_paper)


async def the_statement_says_what_and_why(client: httpx.AsyncClient, biller: dict[str, str], account: UUID) -> None:
    [statement] = (await client.get(f"/v1/patient-accounts/{account}/statements", headers=biller)).json()
    assert (statement["amount_due"], statement["stage"], statement["delivery"]) == ("130.00", "first", "email")
    pdf = await client.get(f"/v1/statements/{statement['id']}/pdf", headers=biller)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    for said in ("Amount due: $130.00", "Visit of October 05, 2026", explain("PR", "1")[:40], explain("PR", "2")[:40]):
        assert said.encode() in pdf.content, said


async def it_is_emailed_once_with_its_pdf(
    client: httpx.AsyncClient, biller: dict[str, str], account: UUID, stack: StackUnderTest, engine: AsyncEngine
) -> None:
    mailer = Mailer(*stack.smtp, "statements@test.example")
    loop = StatementLoop(sessions(engine), mailer=mailer, pay_at="x", interval=1)
    assert await loop.send_one() and not await loop.send_one()  # one email statement, sent once
    assert stack.mail is not None
    [message] = [m for m in delivered(stack.mail) if m["To"] == "ana@example.org"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and b"Amount due: $130.00" in attachment.get_content()
    assert "Amount due: $130.00" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    listed = (await client.get(f"/v1/patient-accounts/{account}/statements", headers=biller)).json()
    assert listed[0]["sent"] is True


async def paper_goes_to_the_mail_house(client: httpx.AsyncClient, biller: dict[str, str], account: UUID) -> None:
    batch = await client.get(f"/v1/practices/{PRACTICE}/printed-statements/{business_date()}", headers=biller)
    assert batch.status_code == 200 and b"Amount due: $45.00" in batch.content and b"$130.00" not in batch.content
    assert (await client.get(f"/v1/patient-accounts/{account}/statements", headers=biller)).json()[0]["sent"] is False
