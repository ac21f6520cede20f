"""Black box, the console in a real browser on the running stack: what billing staff record by hand. A biller takes
cash from a patient who owes nothing, finds her among the credit balances and refunds it by check; and records a
practice's ERA enrollment with a payer as the payer answered it, with a task that is then done."""

import asyncio
import time
from datetime import date, timedelta

from claimstream_devtools.running_services import Services
from console_browser import checked, chromium, menu, signed_in
from console_world import ConsoleWorld
from playwright.async_api import Page, expect


async def test_a_biller_refunds_cash_a_patient_paid_beyond_what_she_owes(
    services: Services, world: ConsoleWorld
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
        account = page.url
        await expect(page.locator("dd").nth(1)).to_have_text("$25.00")  # her credit
        await menu(page, "Credit balances")
        await checked(page, "credits")
        await page.goto(account)
        refund = page.locator("form[action$='/refunds']")
        await refund.get_by_label("by check number").fill("CHK-1001")
        await refund.get_by_role("button", name="Refund by check").click()
        refunds = page.locator("section", has=page.get_by_role("heading", name="Refunds"))
        await expect(refunds).to_contain_text("$25.00 by check: refunded")
        await expect(page.locator("dd").nth(1)).to_have_text("$0.00")
        await checked(page, "patient")


async def an_account_shown(page: Page) -> None:
    """The patients' page once charge capture's charges have opened P1's accounts (bounded)."""
    deadline = time.monotonic() + 60
    while not await page.locator("tbody a").count():
        assert time.monotonic() < deadline, "no patient account within 60 s"
        await asyncio.sleep(1)
        await page.reload()


async def test_a_biller_records_an_era_enrollment_and_works_its_task(services: Services, world: ConsoleWorld) -> None:
    due = date.today() + timedelta(days=7)
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["biller"])
        await menu(page, "The month")
        enrollment = page.locator("form[action$='/enrollments']")
        fields = {"Payer id": "SIMBCBS", "NPI": "1234567893", "Tax id": "123456789"}
        for label, value in fields.items():
            await enrollment.get_by_label(label, exact=True).fill(value)
        await enrollment.get_by_label("Transaction").select_option("remittance")
        await enrollment.get_by_label("Status").select_option("submitted")
        await enrollment.get_by_role("button", name="Record the enrollment").click()
        row = page.get_by_role("row").filter(has_text="SIMBCBS")
        await expect(row).to_contain_text("submitted")
        await row.get_by_label("New task").fill("Call the payer about the ERA form")
        await row.get_by_label("due").fill(str(due))
        await row.get_by_role("button", name="Add the task").click()
        row = page.get_by_role("row").filter(has_text="SIMBCBS")
        await expect(row).to_contain_text(f"Call the payer about the ERA form (due {due})")
        await checked(page, "office-enrollment")
        await row.get_by_role("button", name="Mark done: Call the payer about the ERA form").click()
        await expect(page.get_by_role("row").filter(has_text="SIMBCBS")).to_contain_text(f"(due {due}, done)")
