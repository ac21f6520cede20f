"""A bulk action in the console's browser test: the job's page, which reloads itself until the worker is done."""

from console_browser import checked, menu
from playwright.async_api import Page, expect


async def bulk_assigned(page: Page) -> None:
    """The open cases left, assigned at once: the job's page shows its progress and reloads itself (no script)
    until the worker has worked every case."""
    await menu(page, "Denials")
    await page.get_by_label("Assign to").fill("bulk@billing")
    await page.get_by_role("button", name="Apply to all").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bulk assign")
    await expect(page.get_by_role("heading", name="Finished")).to_be_visible(timeout=30_000)
    count = await page.get_by_role("status").filter(has_text="cases worked").inner_text()
    worked, total = count.split(" cases worked")[0].split(" of ")
    assert worked == total and int(total) >= 1, count
    assert await page.get_by_label("Cases worked").get_attribute("value") == total
    await checked(page, "bulk")
    await menu(page, "Denials")
    await page.get_by_label("Assigned to").fill("bulk@billing")
    await page.get_by_role("button", name="Show").click()
    assert await page.locator("tbody tr").count() == int(total)
