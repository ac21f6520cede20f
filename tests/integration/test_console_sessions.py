"""Black box, the console's sessions on the running stack, in chromium: a person of sixty practices signs in (their
token is some 3 KB: sealed whole into the cookie, as the console once kept it, it passed the 4 KB browsers keep)
and works; the cookie carries the session's id alone; after signing out, a copy of it is refused."""

from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest, register_practices
from console_browser import checked, chromium, menu, signed_in
from console_world import Person, _accepted
from test_encounter_to_claim import ok

COOKIE = "claimstream_console"


async def a_biller_of_many_practices(services: Services, keys: Keys, stack: StackUnderTest, count: int) -> Person:
    """A tenant of its own with `count` practices in the platform's registry (as charge capture registers each),
    and a biller of every one of them by name, invited and accepted as anyone is."""
    tenant, practices = uuid4(), [uuid4() for _ in range(count)]
    await register_practices(stack, {tenant: practices})
    return await _invited(services, keys, tenant, practices)


async def _invited(services: Services, keys: Keys, tenant: UUID, practices: list[UUID]) -> Person:
    admin = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant, roles=['tenant-admin'])}"}
    email = f"many-{tenant.hex[:8]}@console.example"
    access = {"roles": ["biller"], "practice_ids": [str(p) for p in practices], "email": email, "name": "Many"}
    async with httpx.AsyncClient(base_url=services.identity, timeout=30) as identity:
        invited = await ok(await identity.post("/v1/users", json=access, headers=admin))
        return await _accepted(identity, email, invited["invitation_code"])


async def test_a_person_of_sixty_practices_signs_in_and_a_copy_of_the_cookie_is_refused_after_signing_out(
    services: Services, keys: Keys, stack: StackUnderTest
) -> None:
    person = await a_biller_of_many_practices(services, keys, stack, 60)
    async with chromium() as browser:
        page = await signed_in(browser, services.console, person)  # the browser kept the cookie: a page of theirs
        (cookie,) = await page.context.cookies()
        assert cookie["name"] == COOKIE and len(cookie["name"] + cookie["value"]) < 200, cookie
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        await menu(page, "Denials")  # denial management's queue, with the person's own token
        await checked(page, "denials-many-practices")
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url("**/sign-in?ended=out")
    async with httpx.AsyncClient(base_url=services.console, timeout=10) as copier:
        copied = await copier.get("/denials", headers={"Cookie": f"{COOKIE}={cookie['value']}"})
    assert copied.status_code == 303 and copied.headers["location"].startswith("/sign-in")
    assert f"{COOKIE}=;" in copied.headers["set-cookie"]  # its session is gone: the dead cookie is cleared
