"""Claim submission's lists page (claimstream_platform.paging): a claim embeds only its latest changes and
`.../history` pages back to its creation; interchanges and inbound documents, newest first, page on to the
oldest. A page over the cap is refused naming `limit`."""

from collections.abc import Callable

import httpx
from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claims_testkit import TENANT, charges, handle
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from claimstream_devtools.testing import Keys
from claimstream_platform.paging import EMBEDDED
from sqlalchemy import text

MOVES = EMBEDDED + 7  # a claim held and released again and again: more changes than a claim embeds


async def _claim_with_a_long_history(make_uow: Callable[[], ClaimWork]) -> str:
    captured = charges()
    await handle(make_uow, encounters.on_charge_captured, captured)
    async with make_uow() as uow:
        claim_id = await uow.session.scalar(
            text("SELECT id FROM claims WHERE encounter_id = :e"), {"e": captured.encounter_id}
        )
        for move in range(MOVES):
            status = "held" if move % 2 == 0 else "ready"
            await uow.session.execute(
                text(
                    "INSERT INTO claim_history (claim_id, status, detail)"
                    " VALUES (:c, :s, jsonb_build_object('move', CAST(:m AS integer)))"
                ),
                {"c": claim_id, "s": status, "m": move},
            )
        await uow.commit()
    return str(claim_id)


async def test_a_claim_embeds_its_latest_changes_and_pages_back_to_its_creation(
    make_uow: Callable[[], ClaimWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim_id = await _claim_with_a_long_history(make_uow)
    claim = (await client.get(f"/v1/claims/{claim_id}", headers=auth)).json()
    assert [h["detail"]["move"] for h in claim["history"]] == list(range(MOVES - EMBEDDED, MOVES))  # oldest first
    params = {"cursor": claim["history_next_cursor"]}
    earlier = (await client.get(f"/v1/claims/{claim_id}/history", params=params, headers=auth)).json()
    assert [h["detail"].get("move") for h in earlier["items"]] == [*range(MOVES - EMBEDDED - 1, -1, -1), None]
    pages = await every_page(client, f"/v1/claims/{claim_id}/history", auth, limit=25)
    assert [len(page) for page in pages] == [25, 25, MOVES + 1 - 50]
    assert pages[0][0]["detail"]["move"] == MOVES - 1  # the latest change first
    assert pages[-1][-1]["detail"].get("move") is None and pages[-1][-1]["status"] == "ready"  # its creation, reached
    await assert_limit_capped(client, f"/v1/claims/{claim_id}/history", auth)
    await assert_foreign_cursor_refused(client, f"/v1/claims/{claim_id}/history", auth)


async def test_interchanges_page_newest_first_to_the_oldest(
    make_uow: Callable[[], ClaimWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with make_uow() as uow:
        for number in range(1, 6):
            await uow.session.execute(
                text(
                    "INSERT INTO submissions (interchange_number, tenant_id, payer_id, status, content)"
                    " VALUES (:n, :t, 'SIMMCR', 'quarantined', 'ISA')"
                ),
                {"n": 900 + number, "t": TENANT},
            )
        await uow.commit()
    pages = await every_page(client, "/v1/interchanges", auth, limit=2)
    numbers = [[i["interchange_number"] for i in page] for page in pages]
    assert numbers == [[905, 904], [903, 902], [901]]
    await assert_limit_capped(client, "/v1/interchanges", auth)
    await assert_foreign_cursor_refused(client, "/v1/interchanges", auth)


async def test_inbound_documents_page_newest_first_to_the_oldest_for_a_tenant_and_an_operator(
    make_uow: Callable[[], ClaimWork], client: httpx.AsyncClient, auth: dict[str, str], keys: Keys
) -> None:
    async with make_uow() as uow:
        for n in range(5):
            await uow.session.execute(
                text(
                    "INSERT INTO inbound (kind, tenant_id, source, content, status, reason)"
                    " VALUES ('999', :t, :s, 'ISA', 'quarantined', 'unreadable')"
                ),
                {"t": TENANT, "s": f"inbox:page-{n}"},
            )
        await uow.commit()
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:ana')}"}
    for headers in (auth, operator):
        pages = await every_page(client, "/v1/inbound", headers, limit=2)
        sources = [[d["source"] for d in page] for page in pages]
        assert sources == [["inbox:page-4", "inbox:page-3"], ["inbox:page-2", "inbox:page-1"], ["inbox:page-0"]]
        await assert_limit_capped(client, "/v1/inbound", headers)
