"""Black box, the console in a real browser (Debian's chromium driven by Playwright) on the running stack: each
person signs in through the form with the password they chose, works through the pages, and every page they see
passes axe-core's accessibility check (no serious or critical finding); the walls hold in the browser as on the
APIs (another practice's claim by URL, a read-only person's forms and a forged POST)."""

import asyncio
import time
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urljoin
from uuid import uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts.claim_submission import TOPIC as CLAIMS
from claimstream_platform.contracts.claim_submission import ClaimCreated
from claimstream_platform.dates import business_date
from console_browser import checked, chromium, menu, refused_sign_in, signed_in
from console_bulk import bulk_assigned
from console_letters import a_dead_letter
from console_world import ConsoleWorld, Person
from kafka_reader import header, records_about
from playwright.async_api import Page, expect
from walls_world import until


def api(keys: Keys, world: ConsoleWorld, base: str) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=world.tenant)}"}
    return httpx.AsyncClient(base_url=base, headers=headers, timeout=10)


async def open_cases(services: Services, keys: Keys, world: ConsoleWorld) -> list[dict[str, Any]]:
    """The two P1 visits' CO-26 cases, once both are open for a person."""

    async def both() -> list[dict[str, Any]] | None:
        async with api(keys, world, services.denial_management) as denials:
            found = (await denials.get("/v1/denials", params={"status": "open", "limit": 50})).json()["items"]
        return found if len(found) >= 2 else None

    try:
        return await until(both, "two open cases", 180)  # behind a busy stack (the walls sweep) it may take minutes
    except AssertionError:
        raise AssertionError(await where_the_visits_are(services, keys, world)) from None


async def where_the_visits_are(services: Services, keys: Keys, world: ConsoleWorld) -> str:
    """What became of the visits before coverage, for a failure's message."""
    found = []
    async with api(keys, world, services.claim_submission) as claims, api(keys, world, services.denial_management) as d:
        for encounter in world.uncovered_encounters:
            items = (await claims.get("/v1/claims", params={"encounter_id": encounter})).json()["items"]
            found += [(c["status"], c["frequency"], c["reasons"]) for c in items]
        cases = (await d.get("/v1/denials", params={"limit": 50})).json()["items"]
    return f"claims {found}; cases {[(c['status'], c['category'], c['codes'], c['automatic']) for c in cases]}"


async def test_a_biller_works_the_nearest_deadline_and_sees_the_corrected_claim_accepted(
    services: Services, keys: Keys, world: ConsoleWorld
) -> None:
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["biller"])
        await checked(page, "home-biller")
        await release_what_eligibility_held(page, services, keys, world)
        cases = await open_cases(services, keys, world)
        await menu(page, "Denials")
        await page.get_by_label("Sort by").select_option("deadline")
        await page.get_by_role("button", name="Show").click()
        await checked(page, "denials")
        deadlines = await page.locator("tbody tr td:first-child").all_inner_texts()
        assert deadlines == sorted(deadlines) and deadlines[0] == min(str(c["deadline"]) for c in cases), deadlines
        await page.locator("tbody tr").first.get_by_role("link").first.click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text("eligibility")  # CO-26: before coverage
        await checked(page, "denial-case")
        await page.get_by_label("Why").fill("The member's coverage was verified active on the date of service")
        await page.get_by_role("button", name="Request correction").click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text("correcting")
        await page.get_by_role("link", name="the claim, whole").click()
        await accepted_replacement(page)
        await checked(page, "claim")
        await bulk_assigned(page)


async def release_what_eligibility_held(page: Page, services: Services, keys: Keys, world: ConsoleWorld) -> None:
    """Each visit before coverage once its claim has left or been held; a held one (eligibility's answer to the
    visit's own check came first) released from the held claims' page, the finding accepted on purpose: it goes
    out, and the payer denies it."""

    async def settled(encounter: str) -> dict[str, Any] | None:
        async with api(keys, world, services.claim_submission) as claims:
            found = (await claims.get("/v1/claims", params={"encounter_id": encounter})).json()["items"]
        return next((c for c in found if c["status"] not in ("ready", "submitting")), None)

    out = [await until(partial(settled, encounter), "a claim") for encounter in world.uncovered_encounters]
    for claim in [c for c in out if c["status"] == "held"]:
        await menu(page, "Held claims")
        row = page.get_by_role("row").filter(has_text=claim["patient_control_number"])
        await row.get_by_label("eligibility.coverage-inactive").check()
        await checked(page, "held")
        await row.get_by_role("button", name="Scrub again and send").click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text(claim["patient_control_number"])


async def accepted_replacement(page: Page) -> None:
    """The claim's page, reloaded (bounded) until the replacement claim of its visit shows as accepted; held on
    its way (the patient's coverage was inactive on the date of service, as eligibility answered), it is released
    from its own page with that finding accepted on purpose, as the biller's correction says. Its page answers once
    the projection holds it: claim submission's list, on this page, may name it a moment before."""
    here, deadline = page.url, time.monotonic() + 120
    others = page.locator("section", has=page.get_by_role("heading", name="Other claims of this visit"))
    while time.monotonic() < deadline:
        shown = await others.inner_text()
        if "replaces this one" in shown and "accepted" in shown:
            return
        if "replaces this one" in shown and "held" in shown:
            await page.goto(urljoin(here, await others.get_by_role("link").first.get_attribute("href") or ""))
            release = page.get_by_label("eligibility.coverage-inactive")
            if await release.count():
                await release.check()
                await page.get_by_role("button", name="Scrub again and send").click()
            else:
                await asyncio.sleep(1)  # not in the projection yet
            await page.goto(here)
            continue
        await asyncio.sleep(1)
        await page.reload()
    raise AssertionError(f"no replacement accepted in 120 s (a held one never offered its release?): {shown}")


async def test_the_front_desk_checks_coverage_for_a_visit(services: Services, world: ConsoleWorld) -> None:
    async with chromium() as browser:
        await refused_sign_in(browser, services.console, world.people["desk"])
        page = await signed_in(browser, services.console, world.people["desk"])
        await menu(page, "Coverage check")
        await page.get_by_label("Practice", exact=True).select_option(world.p1)
        fields = {
            "Patient's id at the practice": "pt-desk-1",
            "First name": "Rosa",
            "Last name": "Calder",
            "Date of birth": "1969-05-05",
            "Payer id": "SIMMCR",
            "Member id": world.member,
            "Provider NPI": "1245319599",
            "Provider name": "Ben Okafor",
            "Date of the visit": str(business_date()),
            "The practice's charge for it": "180.00",
            "The payer's allowed amount": "120.00",
        }
        for label, value in fields.items():
            await page.get_by_label(label, exact=True).fill(value)
        await page.get_by_role("button", name="Check coverage").click()
        answer = page.locator("section", has=page.get_by_role("heading", name="The payer's answer"))
        await expect(answer).to_contain_text("active")
        await expect(answer).to_contain_text("The visit will cost the patient")
        await checked(page, "coverage")
        await page.get_by_role("link", name="Authorizations").first.click()
        await checked(page, "authorizations")


async def test_an_owner_reads_ar_as_of_a_day_and_drills_to_a_claim_with_no_way_to_change_it(
    services: Services, keys: Keys, world: ConsoleWorld
) -> None:
    async def aging() -> dict[str, Any] | None:
        async with api(keys, world, services.projection) as projection:
            rows = (await projection.get("/v1/ar/aging")).json()["rows"]
        return next((row for row in rows if row["key"] == "SIMMCR"), None)

    await until(aging, "Medicare's open balance")
    yesterday = str(business_date() - timedelta(days=1))
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["owner"])
        await menu(page, "A/R aging")
        await page.get_by_label("As of").fill(yesterday)
        await page.get_by_role("button", name="Show").click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text(yesterday)
        await expect(page.locator("table")).to_contain_text("Nothing open on this day")  # billed today: not yet
        await page.get_by_label("As of").fill(str(business_date()))
        await page.get_by_role("button", name="Show").click()
        await checked(page, "ar")
        await page.get_by_role("row", name="SIMMCR").get_by_role("link").first.click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
        await page.locator("tbody tr").first.get_by_role("link").first.click()
        await expect(page.get_by_role("heading", name="Every event on its timeline")).to_be_visible()
        await checked(page, "claim-read-only")
        assert await page.locator("form[method=post]").count() == 1  # signing out, and nothing else
        await page.goto("/denials")
        assert await page.locator("form[method=post]").count() == 1
        await refused_forgeries(page, services.console)


async def refused_forgeries(page: Page, console: str) -> None:
    """What a read-only person's browser (or a page of another site riding on it) cannot make the console do."""
    csrf = await page.locator("form[action='/sign-out'] input[name=csrf]").get_attribute("value")
    bulk = {"action": "write_off", "reason": "forged", "status": "open", "csrf": csrf or "", "form_key": "x"}
    with_role = await page.request.post(f"{console}/denials/bulk", form=bulk)
    assert with_role.status == 403  # the session's own CSRF token, but the read-only role: refused
    cross_site = await page.request.post(
        f"{console}/denials/bulk", form=bulk, headers={"Origin": "http://evil.example"}
    )
    assert cross_site.status == 403 and "another site" in await cross_site.text()
    async with httpx.AsyncClient(base_url=console, timeout=10) as stranger:
        anonymous = await stranger.post("/denials/bulk", data=bulk)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")


async def test_a_biller_of_one_practice_cannot_reach_anothers_claim_by_url(
    services: Services, keys: Keys, world: ConsoleWorld
) -> None:
    async def p2_claim() -> str | None:
        async with api(keys, world, services.claim_submission) as claims:
            found = (await claims.get("/v1/claims", params={"encounter_id": world.p2_encounter})).json()["items"]
        return str(found[0]["id"]) if found else None

    claim_id = await until(p2_claim, "P2's claim")
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["biller"])
        for path in (f"/claims/{claim_id}", f"/claims/{claim_id}/x12"):
            response = await page.goto(path)
            assert response is not None and response.status == 404, path
            await expect(page.get_by_role("alert")).to_contain_text("not found")
        await checked(page, "not-found")


async def test_an_operator_sees_a_dead_letter_and_redrives_it(
    services: Services, keys: Keys, stack: StackUnderTest, world: ConsoleWorld
) -> None:
    event_id, claim_id = await a_dead_letter(services, keys, stack)
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["operator"])
        await menu(page, "Streams")
        await checked(page, "ops")
        await page.get_by_role("button", name=f"Redrive event {event_id}").first.click()
        await expect(page.get_by_role("status")).to_contain_text("1 event sent back")
    again = await records_about(stack.bootstrap_servers, CLAIMS, claim_id, ClaimCreated.event_type, count=2)
    assert [header(r, "ce_id") for r in again] == [event_id, event_id]  # the first time, and again by the redrive


async def test_every_page_each_person_can_open_passes_the_accessibility_check(
    services: Services, world: ConsoleWorld
) -> None:
    """Each person's menu, page by page (and the pages reached from them): no serious or critical axe finding."""
    seen = 0
    async with chromium() as browser:
        for who in ("biller", "desk", "owner", "admin", "operator"):
            page = await signed_in(browser, services.console, world.people[who])
            links = await page.get_by_role("navigation", name="Main").get_by_role("link").all()
            paths = [str(await link.get_attribute("href")) for link in links] + EXTRA.get(who, [])
            for path in paths:
                response = await page.goto(path)
                assert response is not None and response.status == 200, (who, path, response and response.status)
                await checked(page, f"{who}{path.replace('/', '-')}")
                seen += 1
    assert seen >= 20


EXTRA = {"biller": ["/kpis", "/authorizations", "/patients?awaiting_decision=true"], "owner": ["/kpis"]}


async def test_an_administrator_invites_a_person_who_then_signs_in_and_adds_a_provider(
    services: Services, world: ConsoleWorld
) -> None:
    email = f"new-desk-{uuid4().hex[:8]}@console.example"
    async with chromium() as browser:
        page = await signed_in(browser, services.console, world.people["admin"])
        await menu(page, "Set-up")
        await checked(page, "setup")
        invite = page.locator("form[action='/setup/users']")
        await invite.get_by_label("Email").fill(email)
        await invite.get_by_label("Name", exact=True).fill("New front desk")
        await invite.get_by_label("front-desk", exact=True).check()
        await invite.get_by_role("button", name="Invite").click()
        code = (await page.locator("code").inner_text()).strip()
        await checked(page, "invited")
        password = "a long passphrase 1"
        async with httpx.AsyncClient(base_url=services.identity, timeout=30) as identity:
            accepted = await identity.post("/v1/invitations/accept", json={"code": code, "password": password})
        assert accepted.status_code == 200, accepted.text
        newcomer = await signed_in(browser, services.console, Person(email, password))
        menu_links = newcomer.get_by_role("navigation", name="Main").get_by_role("link")
        assert await menu_links.all_inner_texts() == ["Patients", "Coverage check"]  # a front desk's, no more
        await page.goto(f"/setup/practices/{world.p1}")
        provider = page.locator(f"form[action='/setup/practices/{world.p1}/providers']")
        fields = {"NPI": "1679576722", "First name": "Ada", "Last name": "Reyes", "Taxonomy": "103T00000X"}
        for label, value in fields.items():
            await provider.get_by_label(label, exact=True).fill(value)
        await provider.get_by_label("Credential").select_option("PhD")
        await provider.get_by_role("button", name="Add the provider").click()
        await expect(page.get_by_text("Ada Reyes, PhD")).to_be_visible()
        await checked(page, "practice-setup")
