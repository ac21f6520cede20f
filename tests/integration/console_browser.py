"""Debian's chromium, driven by Playwright (which downloads no browser of its own here), for the console's tests;
axe-core (from npm, `make browser`) run in the page; and each page's screenshot kept for the docs."""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from claimstream_devtools.devstack.stack import repository_root
from console_world import Person
from playwright.async_api import Browser, Page, Response, async_playwright, expect

CHROMIUM = "/usr/bin/chromium"
# As the machine's own probe starts it: no sandbox as root, and nothing reaching out to the closed network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = repository_root() / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = repository_root() / ".data" / "screenshots"
SERIOUS = ("serious", "critical")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def signed_in(browser: Browser, console: str, person: Person) -> Page:
    """A new browser context (its own cookies), signed in through the console's form, keyboard only."""
    # The console's pages allow no script of another origin or inline (CSP): the test's own axe-core is let in.
    context = await browser.new_context(base_url=console, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = await context.new_page()
    await page.goto("/")
    assert "/sign-in" in page.url, page.url  # no session: the sign-in page
    form = page.url
    for _ in range(3):
        answer = await _sign_in(page, person)
        if answer.status != 429:
            break
        # Every test signs in from one address, whose sign-in budget (30 a minute) the API fuzz may have spent:
        # wait as the page tells a person to, and sign in again. (A 503 is not waited out: none is expected here.)
        await asyncio.sleep(min(int(answer.headers.get("retry-after", "5")), 61))
        await page.goto(form)
    # Said here, not left to the wait below: a refusal's status and page name why (the wait would only time out).
    assert answer.status == 303, (answer.status, _main_text(await answer.text()))
    await page.wait_for_url(f"{console}/")
    return page


def _main_text(html: str) -> str:
    """A page's main content as text, short: what a failing test says the page said."""
    main = re.search(r"<main\b.*?</main>", html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", main.group(0) if main else html).split())[:300]


async def _sign_in(page: Page, person: Person) -> Response:
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill(person.password)
    if person.operator:
        await page.get_by_label("I am an installation operator").check()
    async with page.expect_response(lambda answer: answer.request.method == "POST") as sent:
        await page.get_by_label("Password").press("Enter")
    return await sent.value


async def refused_sign_in(browser: Browser, console: str, person: Person) -> None:
    """A wrong password: the form again, saying so, and no session."""
    context = await browser.new_context(base_url=console, bypass_csp=True)
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill(person.password + "-wrong")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("do not match")
    await checked(page, "sign-in-refused")
    assert not await context.cookies()
    await context.close()


async def menu(page: Page, link: str) -> None:
    """A page of the main menu, as a person reaches it."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    await page.wait_for_load_state()


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it stands (WCAG 2 A and AA rules)."""
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [violation for violation in found if violation["impact"] in SERIOUS]


async def checked(page: Page, shot: str) -> None:
    """The page passes the accessibility check, and its screenshot is kept (`.data/screenshots`)."""
    violations = await serious_violations(page)
    assert not violations, json.dumps(violations, indent=1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(Path(SHOTS, f"{shot}.png")), full_page=True)
