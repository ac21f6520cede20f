"""Denial management's lists page (claimstream_platform.paging): a case embeds only its latest history entries
(notes too) and appeals, and `.../history` and `.../appeals` page back to the first; the scrub-rule suggestions
(the most money first) and the work queue (the highest priority first) page on to the last. A page over the cap is
refused naming `limit`."""

from collections.abc import Callable
from uuid import uuid4

import httpx
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from claimstream_platform.paging import EMBEDDED
from denial_management.repository import DenialWork
from denial_testkit import TENANT, cases_of, created, deliver, denied
from sqlalchemy import text

NOTES = EMBEDDED + 4  # more notes than a case embeds


async def _a_case(make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    claim = created("CS0000000951")
    await deliver(make_uow, claim, denied(claim, ("CO", "50", "140")))
    (case,) = await cases_of(client, auth)
    return str(case["id"])


async def test_a_case_embeds_its_latest_notes_and_pages_back_to_its_triage(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    case_id = await _a_case(make_uow, client, auth)
    for n in range(NOTES):
        noted = await client.post(f"/v1/denials/{case_id}/notes", json={"text": f"call {n}"}, headers=auth)
        assert noted.status_code == 200, noted.text
    latest = noted.json()["history"]
    assert len(latest) == EMBEDDED and latest[-1]["detail"]["text"] == f"call {NOTES - 1}"  # the note just added
    case = (await client.get(f"/v1/denials/{case_id}", headers=auth)).json()
    assert case["history"] == latest
    params = {"cursor": case["history_next_cursor"]}
    earlier = (await client.get(f"/v1/denials/{case_id}/history", params=params, headers=auth)).json()
    assert [h["action"] for h in earlier["items"]] == ["noted"] * (NOTES - EMBEDDED) + ["triaged"]
    pages = await every_page(client, f"/v1/denials/{case_id}/history", auth, limit=20)
    assert [len(page) for page in pages] == [20, 20, NOTES + 1 - 40]
    assert pages[-1][-1]["action"] == "triaged"  # its first entry, reached
    await assert_limit_capped(client, f"/v1/denials/{case_id}/history", auth)
    await assert_foreign_cursor_refused(client, f"/v1/denials/{case_id}/history", auth)


async def test_a_cases_appeals_page_back_to_the_first(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    case_id = await _a_case(make_uow, client, auth)
    async with make_uow() as uow:
        for n in range(3):  # appealed, denied again, appealed again: one row each, an hour apart
            await uow.session.execute(
                text(
                    "INSERT INTO appeals (id, case_id, tenant_id, packet, letter, created_at) VALUES"
                    " (:id, :case, :tenant, jsonb_build_object('round', CAST(:n AS integer)), '%PDF',"
                    " now() - make_interval(hours => 3 - CAST(:n AS integer)))"
                ),
                {"id": uuid4(), "case": case_id, "tenant": TENANT, "n": n},
            )
        await uow.commit()
    case = (await client.get(f"/v1/denials/{case_id}", headers=auth)).json()
    assert [a["packet"]["round"] for a in case["appeals"]] == [0, 1, 2] and case["appeals_next_cursor"] is None
    pages = await every_page(client, f"/v1/denials/{case_id}/appeals", auth, limit=2)
    assert [[a["packet"]["round"] for a in page] for page in pages] == [[2, 1], [0]]
    await assert_limit_capped(client, f"/v1/denials/{case_id}/appeals", auth)


async def test_scrub_rule_suggestions_page_the_most_money_first_to_the_least(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with make_uow() as uow:
        for n, amount in enumerate(("300.00", "100.00", "200.00")):
            await uow.session.execute(
                text(
                    "INSERT INTO rule_suggestions (id, tenant_id, payer_id, procedure_code, carc, category, condition,"
                    " message, claims, amount, status) VALUES (:id, :tenant, :payer, '90834', 'CO-197',"
                    " 'authorization', 'missing_authorization', 'hold', 3, CAST(:amount AS numeric), 'suggested')"
                ),
                {"id": uuid4(), "tenant": TENANT, "payer": f"PAYER{n}", "amount": amount},
            )
        await uow.commit()
    pages = await every_page(client, "/v1/scrub-rule-suggestions", auth, limit=2)
    assert [[s["amount"] for s in page] for page in pages] == [["300.00", "200.00"], ["100.00"]]
    await assert_limit_capped(client, "/v1/scrub-rule-suggestions", auth)
    await assert_foreign_cursor_refused(client, "/v1/scrub-rule-suggestions", auth)


async def test_the_work_queue_pages_the_highest_priority_first_to_the_lowest(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claims = [created(f"CS000000096{n}") for n in range(5)]
    await deliver(make_uow, *claims, *(denied(c, ("CO", "50", "140")) for c in claims))
    pages = await every_page(client, "/v1/denials", auth, limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    priorities = [case["priority"] for page in pages for case in page]
    assert priorities == sorted(priorities, reverse=True)
    assert {case["claim_id"] for page in pages for case in page} == {str(c.claim_id) for c in claims}
    await assert_limit_capped(client, "/v1/denials", auth)
    await assert_foreign_cursor_refused(client, "/v1/denials", auth)
