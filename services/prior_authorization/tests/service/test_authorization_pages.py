"""Authorizations page (claimstream_platform.paging): the list, the soonest ending first, reaches the last one
whatever it holds; an authorization embeds only its latest uses, and `.../uses` pages back to the first. A page over
the cap is refused naming `limit`."""

from collections.abc import Callable
from datetime import date, timedelta

import httpx
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from claimstream_platform.paging import EMBEDDED
from prior_authorization import charges
from prior_authorization.repository import PriorAuthorizationWork
from prior_authorization_testkit import OTHER_PRACTICE, captured
from test_burn_down import entered, handle

USES = EMBEDDED + 3  # more uses than the authorization embeds


async def test_authorizations_page_soonest_ending_first_to_the_last(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for number, end in (("PA-1", "2027-03-31"), ("PA-2", "2027-01-31"), ("PA-3", "2027-02-28")):
        await entered(client, auth, authorization_number=number, end=end)
    pages = await every_page(client, "/v1/authorizations", auth, limit=2)
    numbers = [[x["authorization_number"] for x in page] for page in pages]
    assert numbers == [["PA-2", "PA-3"], ["PA-1"]]
    await assert_limit_capped(client, "/v1/authorizations", auth)
    await assert_foreign_cursor_refused(client, "/v1/authorizations", auth)


async def test_an_authorization_embeds_its_latest_uses_and_pages_back_to_the_first(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], PriorAuthorizationWork]
) -> None:
    authorization = await entered(client, auth, approved=USES, quantity=USES)
    visits = [captured((("96130", 1),), day=date(2026, 12, 2) + timedelta(days=n)) for n in range(USES)]
    for visit in visits:
        await handle(make_uow, charges.on_charge_captured, visit)
    path = f"/v1/authorizations/{authorization['id']}"
    read = (await client.get(path, headers=auth)).json()
    ids = [str(v.encounter_id) for v in visits]
    assert read["used"] == USES and [u["encounter_id"] for u in read["uses"]] == ids[-EMBEDDED:]  # the latest
    earlier = (await client.get(f"{path}/uses", params={"cursor": read["uses_next_cursor"]}, headers=auth)).json()
    assert [u["encounter_id"] for u in earlier["items"]] == ids[-EMBEDDED - 1 :: -1]
    pages = await every_page(client, f"{path}/uses", auth, limit=20)
    assert [len(page) for page in pages] == [20, 20, USES - 40]
    assert [u["encounter_id"] for page in pages for u in page] == ids[::-1]  # back to the first use
    await assert_limit_capped(client, f"{path}/uses", auth)
    await assert_foreign_cursor_refused(client, f"{path}/uses", auth)


async def test_the_uses_of_an_authorization_out_of_reach_are_not_found(
    client: httpx.AsyncClient, auth: dict[str, str], practice_auth: dict[str, str]
) -> None:
    other = await entered(client, auth, practice_id=str(OTHER_PRACTICE))
    response = await client.get(f"/v1/authorizations/{other['id']}/uses", headers=practice_auth)
    assert response.status_code == 404
