"""A claim's timeline pages (claimstream_platform.paging): the claim embeds only its latest events, and
`.../timeline` pages back, the latest first, to the first event, in the one order of an encounter's facts (time,
lifecycle rank, event id: events of one instant keep their lifecycle order across a page's edge). A page over the
cap is refused naming `limit`."""

from collections.abc import Callable

import httpx
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from claimstream_platform.paging import EMBEDDED
from projection.repository import ProjectionWork
from projection_testkit import Visit, day, deliver, delivery

ROUNDS = 26  # sent and rejected again and again, each pair at one instant: more events than a claim embeds


async def test_a_claim_embeds_its_latest_events_and_pages_back_to_the_first(
    make_uow: Callable[[], ProjectionWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    v = Visit(charge="150")
    rounds = [delivery(event, day(2 + n)) for n in range(ROUNDS) for event in (v.rejected(), v.submitted())]
    await deliver(make_uow, delivery(v.received(), day(0)), delivery(v.created(), day(1)), *rounds)
    in_order = ["encounter.received", "claim.created"] + ["claim.submitted", "claim.rejected"] * ROUNDS
    path = f"/v1/claims/{v.claim_id}"
    claim = (await client.get(path, headers=auth)).json()
    assert [e["type"] for e in claim["timeline"]] == in_order[-EMBEDDED:]  # the latest, oldest first as ever
    params = {"cursor": claim["timeline_next_cursor"]}
    earlier = (await client.get(f"{path}/timeline", params=params, headers=auth)).json()
    assert [e["type"] for e in earlier["items"]] == in_order[-EMBEDDED - 1 :: -1]
    pages = await every_page(client, f"{path}/timeline", auth, limit=25)  # odd: a page's edge splits an instant
    assert [len(page) for page in pages] == [25, 25, len(in_order) - 50]
    assert [e["type"] for page in pages for e in page] == in_order[::-1]  # back to the first event
    await assert_limit_capped(client, f"{path}/timeline", auth)
    await assert_foreign_cursor_refused(client, f"{path}/timeline", auth)
