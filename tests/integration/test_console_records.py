"""Black box, the console in a real browser on the running stack: what billing staff record by hand. A biller takes
cash from a patient who owes nothing, finds her among the credit balances and refunds it by check, and sees the
estimate she is given from her account's page beside what was then billed; and records a
practice's ERA enrollment with a payer as the payer answered it, with a task that is then done. An administrator
sets a billed amount and a contract rate for a payer of a practice, and changes a person's access."""

import asyncio
import time
from datetime import timedelta
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import business_date
from console_browser import checked, chromium, menu, signed_in
from console_world import ConsoleWorld, _visit
from playwright.async_api import Locator, Page, expect


async def test_a_biller_refunds_cash_a_patient_paid_beyond_what_she_owes(
    services: Services, keys: Keys, world: ConsoleWorld
) -> None:
    """A P1 patient whose visit the payer denied (before her coverage): nothing is hers to pay, so cash taken at
    the desk is her credit, listed among the credit balances until a check gives it back."""
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["biller"])
        await menu(page, "Patients")
        await an_account_shown(page)
        await page.locator("tbody a").first.click()
        payment = page.locator("form[action$='/payments']")
        await payment.get_by_label("Amount").fill("25.00")
        await payment.get_by_label("Method").select_option("cash")
        await payment.get_by_role("button", name="Record the payment").click()
        account, patient = page.url, (await page.get_by_role("heading", level=1).inner_text()).split()[-1]
        await expect(page.locator("dd").nth(1)).to_have_text("$25.00")  # her credit
        await menu(page, "Credit balances")
        await expect(page.get_by_role("row").filter(has_text=patient)).to_contain_text("$25.00")
        await checked(page, "credits")
        await page.goto(account)
        refund = page.locator("form[action$='/refunds']")
        await refund.get_by_label("by check number").fill("CHK-1001")
        await refund.get_by_role("button", name="Refund by check").click()
        refunds = page.locator("section", has=page.get_by_role("heading", name="Refunds"))
        await expect(refunds).to_contain_text("$25.00 by check: refunded")
        await expect(page.locator("dd").nth(1)).to_have_text("$0.00")
        await an_estimate_then_a_visit(page, services, keys, world, patient)
        part = page.get_by_role("row").filter(has_text="1245319599")  # her provider's part of the estimate
        await billed_against(page, part)
        await expect(part).to_contain_text("$300.00")
        await checked(page, "patient")


async def an_estimate_then_a_visit(
    page: Page, services: Services, keys: Keys, world: ConsoleWorld, patient: str
) -> None:
    """A Good Faith Estimate for her, given from her account's page as the front desk gives one (two sessions over
    the months around today), and then a visit of hers today from the EHR: its charge is billed against it."""
    member, (first, last) = patient.removeprefix("pt-").upper(), world.names[patient]  # `pt-` and her member id
    form = page.locator("form[action$='/estimates']")
    typed = {"Her first name": first, "Last name": last, "Birth date": "1969-05-05"}
    typed |= {"From": str(business_date() - timedelta(days=30)), "To": str(business_date() + timedelta(days=60))}
    typed |= {"Service 1: code": "90837", "Service 1: what it is": "Therapy, 60 minutes"}
    for label, value in (typed | {"Service 1: fee": "150.00", "Service 1: times": "2"}).items():
        await form.get_by_label(label, exact=True).fill(value)
    await form.get_by_label("Provider", exact=True).select_option("1245319599")
    await form.get_by_role("button", name="Issue the estimate").click()
    await expect(page.get_by_role("row").filter(has_text="1245319599")).to_contain_text("$300.00")
    visit = _visit(world.p1, member, 0, (first, last)) | {"external_id": f"visit-{member}-estimated"}
    async with httpx.AsyncClient(
        base_url=services.charge_capture, headers=_bearer(keys, world, "ehr-integration")
    ) as ehr:
        posted = await ehr.post("/v1/encounters", json=visit)
        assert posted.status_code in (200, 201, 202), posted.text


def _bearer(keys: Keys, world: ConsoleWorld, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=world.tenant, roles=[role])}"}


async def billed_against(page: Page, part: Locator) -> None:
    """Her account's page, reloaded (bounded) until eligibility has counted the visit's charge against her part."""
    deadline = time.monotonic() + 60
    while not await part.count() or await part.get_by_role("cell").nth(3).inner_text() == "$0.00":
        assert time.monotonic() < deadline, "the visit's charge was not billed against her estimate within 60 s"
        await asyncio.sleep(1)
        await page.reload()


async def an_account_shown(page: Page) -> None:
    """The patients' page once charge capture's charges have opened P1's accounts (bounded)."""
    deadline = time.monotonic() + 60
    while not await page.locator("tbody a").count():
        assert time.monotonic() < deadline, "no patient account within 60 s"
        await asyncio.sleep(1)
        await page.reload()


async def test_a_biller_records_an_era_enrollment_and_works_its_task(services: Services, world: ConsoleWorld) -> None:
    due, task = business_date() + timedelta(days=7), f"Call the payer about the ERA form ({uuid4().hex[:6]})"
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["biller"])
        await menu(page, "The month")
        enrollment = page.get_by_role("form", name="Record an enrollment")
        fields = {"Payer id": "SIMBCBS", "NPI": "1234567893", "Tax id": "123456789", "Clearinghouse": "Availity"}
        for label, value in fields.items():
            await enrollment.get_by_label(label, exact=True).fill(value)
        await enrollment.get_by_label("Transaction").select_option("remittance")
        await enrollment.get_by_label("Status").select_option("submitted")
        await enrollment.get_by_role("button", name="Record the enrollment").click()
        row = page.get_by_role("row").filter(has_text="SIMBCBS")
        status = row.get_by_role("cell").nth(3)  # (the row's forms list every status among their choices)
        await expect(status).to_have_text("submitted")
        await row.get_by_label("The payer's answer").select_option("active")
        await row.get_by_label("effective").fill(str(business_date()))
        await row.get_by_role("button", name="Record the answer").click()
        await expect(status).to_have_text("active")
        await expect(row.get_by_role("cell").nth(1)).to_have_text("remittance (through Availity)")  # kept
        await expect(row.get_by_role("cell").nth(4)).to_have_text(str(business_date()))
        await row.get_by_label("New task").fill(task)
        await row.get_by_label("due").fill(str(due))
        await row.get_by_role("button", name="Add the task").click()
        row = page.get_by_role("row").filter(has_text="SIMBCBS")
        await expect(row).to_contain_text(f"{task} (due {due})")
        await checked(page, "office-enrollment")
        await row.get_by_role("button", name=f"Mark done: {task}").click()
        await expect(page.get_by_role("row").filter(has_text="SIMBCBS")).to_contain_text(f"{task} (due {due}, done)")


async def test_an_administrator_sets_a_fee_and_a_contract_rate_and_changes_a_persons_access(
    services: Services, keys: Keys, world: ConsoleWorld
) -> None:
    today = str(business_date())
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["admin"])
        await page.goto(f"/setup/practices/{world.p1}")
        fees = page.get_by_role("form", name="Set a billed amount (SIMMCR)")
        for label, value in {"Code": "90791", "Billed": "210.00", "From": today}.items():
            await fees.get_by_label(label, exact=True).fill(value)
        await fees.get_by_role("button", name="Set a billed amount").click()
        await expect(page.get_by_role("heading", name=f"Fee schedule from {today}")).to_be_visible()
        await expect(page.get_by_role("row").filter(has_text="90791")).to_contain_text("$210.00")
        rates = page.get_by_role("form", name="Set a contract rate (SIMMCR)")
        for label, value in {"Code": "90837", "Modifiers": "95", "Paid": "140.00", "From": today}.items():
            await rates.get_by_label(label, exact=True).fill(value)
        await rates.get_by_role("button", name="Set a contract rate").click()
        paid = page.locator("table").filter(has=page.get_by_role("columnheader", name="Paid"))
        await expect(paid.get_by_role("row", name=f"90837 95 {today} $140.00")).to_be_visible()
        await checked(page, "practice-terms")
        name = await a_front_desk_person(services, keys, world)
        await menu(page, "Set-up")
        row = page.get_by_role("row").filter(has_text=name)
        await row.get_by_text("Change access").click()
        await row.get_by_label("biller", exact=True).check()
        await row.get_by_role("button", name="Save; they sign in again").click()
        roles = page.get_by_role("row").filter(has_text=name).get_by_role("cell").nth(3)  # the roles' cell
        await expect(roles).to_contain_text("biller")
        assert "front-desk" in await roles.inner_text()


async def a_front_desk_person(services: Services, keys: Keys, world: ConsoleWorld) -> str:
    name = f"Desk {uuid4().hex[:8]}"
    admin = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=world.tenant, roles=['tenant-admin'])}"}
    async with httpx.AsyncClient(base_url=services.identity, headers=admin, timeout=30) as identity:
        body = {"email": f"desk-{uuid4().hex[:8]}@console.example", "name": name, "roles": ["front-desk"]}
        invited = await identity.post("/v1/users", json=body)
    assert invited.status_code == 201, invited.text
    return name
