"""Black box, the console in a real browser: an installation operator goes from the streams page to the projection's
rebuilds, where the latest run shows how far it has come (a labelled `<progress>` and the same in words) and the
page reloads itself while it runs (no script: a Refresh header), until the operator stops it; the page passes axe.
The run is one the rebuild would have recorded midway (its row written as the command writes it), so no replay is
needed here: the replay's own recording is the projection's service test."""

from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import StackUnderTest
from console_browser import checked, chromium, menu, signed_in
from console_world import ConsoleWorld
from playwright.async_api import expect


@pytest.fixture
async def a_rebuild_reading(stack: StackUnderTest) -> AsyncIterator[None]:
    """A rebuild a quarter through its reading, as its row stands between two of its writes; removed afterwards."""
    connection = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    run_id = uuid4()
    try:
        await connection.execute(
            "INSERT INTO projection.rebuilds (id, started_at, phase, records_total, records_done, updated_at)"
            " VALUES ($1, now() - interval '10 seconds', 'reading', 10000, 2500, now())",
            run_id,
        )
        yield
    finally:
        await connection.execute("DELETE FROM projection.rebuilds WHERE id = $1", run_id)
        await connection.close()


@pytest.mark.usefixtures("a_rebuild_reading")
async def test_an_operator_follows_a_rebuild_from_the_streams_page(services: Services, world: ConsoleWorld) -> None:
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["operator"])
        await menu(page, "Streams")
        async with page.expect_response(lambda answer: answer.url.endswith("/ops/rebuilds")) as opened:
            await page.get_by_role("link", name="Projection rebuilds").click()
        assert (await opened.value).headers.get("refresh") == "3; url=/ops/rebuilds?reloaded=1"  # reloads while it runs
        await page.get_by_role("link", name="Stop reloading").click()
        await page.wait_for_url("**/ops/rebuilds?refresh=off")
        await expect(page.get_by_role("heading", name="Latest: reading")).to_be_visible()
        progress = page.get_by_label("Records read")
        await expect(progress).to_have_attribute("value", "2500")
        await expect(progress).to_have_attribute("max", "10000")
        await expect(page.get_by_role("status")).to_contain_text("2,500 of 10,000 records read (25%)")
        await expect(page.get_by_role("link", name="Reload until it ends")).to_be_visible()
        await checked(page, "rebuilds")
