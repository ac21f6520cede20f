"""Every set-up listing pages (claimstream_platform.paging): following `next_cursor` reaches every row, the first
one written included, whatever the list holds; a page over the cap is refused naming `limit`. A fee schedule's
versions page, and each version's entries (up to 10,000) are embedded only as a first page, the rest paged."""

from typing import Any

import pytest
from charge_capture_testkit import PRACTICE_NPI, PSYCHIATRIST_NPI, PSYCHOLOGIST_NPI, Practice, address, post_ok
from claimstream_devtools.pages import assert_foreign_cursor_refused, assert_limit_capped, every_page
from claimstream_platform.paging import EMBEDDED
from httpx import AsyncClient

CODES = [f"{9000 + n:04d}T" for n in range(EMBEDDED * 2 + 5)]  # more entries than two embedded pages hold


@pytest.mark.usefixtures("practice")  # the first practice set up, Lakeside
async def test_practices_page_by_name_to_the_last(client: AsyncClient, auth: dict[str, str]) -> None:
    for name, npi in (("Birch Counseling", PSYCHIATRIST_NPI), ("Cedar Therapy", PSYCHOLOGIST_NPI)):
        body = {"name": name, "npi": npi, "tax_id": "123456789", "taxonomy": "261QM0801X", "address": address()}
        await post_ok(client, "/v1/practices", body, auth)
    pages = await every_page(client, "/v1/practices", auth, limit=2)
    assert [len(page) for page in pages] == [2, 1]
    names = [p["name"] for page in pages for p in page]
    assert names == ["Birch Counseling", "Cedar Therapy", "Lakeside Behavioral Health"]
    assert [p["npi"] for p in pages[-1]] == [PRACTICE_NPI]  # the first practice set up, reached
    await assert_limit_capped(client, "/v1/practices", auth)
    await assert_foreign_cursor_refused(client, "/v1/practices", auth)


async def test_a_practices_providers_and_payers_page_to_the_last(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    providers = await every_page(client, f"/v1/practices/{practice.id}/providers", auth, limit=2)
    assert [[p["last_name"] for p in page] for page in providers] == [["Moreno", "Okafor"], ["Park"]]
    payers = await every_page(client, f"/v1/practices/{practice.id}/payers", auth, limit=1)
    assert [[p["payer_id"] for p in page] for page in payers] == [["COM01"], ["MCD01"], ["MCR01"]]
    for listing in ("providers", "payers"):
        await assert_limit_capped(client, f"/v1/practices/{practice.id}/{listing}", auth)


async def test_fee_schedule_versions_page_newest_first_to_the_oldest(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    path = f"/v1/practices/{practice.id}/fee-schedules/MCR01"
    for year in (2026, 2027):
        body = {"effective_from": f"{year}-01-01", "entries": [{"code": "90837", "amount": f"{year - 1850}.00"}]}
        assert (await client.put(path, json=body, headers=auth)).status_code == 200
    pages = await every_page(client, path, auth, limit=2)
    assert [[v["effective_from"] for v in page] for page in pages] == [["2027-01-01", "2026-01-01"], ["2025-01-01"]]
    assert pages[-1][0]["entries_next_cursor"] is None  # the fixture's 22 entries: all embedded
    await assert_limit_capped(client, path, auth)
    await assert_foreign_cursor_refused(client, path, auth)


async def test_a_large_version_embeds_its_first_entries_and_pages_the_rest(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    path = f"/v1/practices/{practice.id}/fee-schedules/COM01"
    entries = [{"code": code, "amount": "10.00"} for code in reversed(CODES)]
    put = await client.put(path, json={"effective_from": "2026-01-01", "entries": entries}, headers=auth)
    assert put.status_code == 200, put.text
    newest: dict[str, Any] = (await client.get(path, headers=auth)).json()["items"][0]
    assert [e["code"] for e in newest["entries"]] == CODES[:EMBEDDED]
    rest = await _entries(client, auth, path, newest["id"], cursor=newest["entries_next_cursor"])
    assert rest == CODES[EMBEDDED:]  # the embedded page's cursor goes on where it stopped
    pages = await every_page(client, f"{path}/versions/{newest['id']}/entries", auth, limit=EMBEDDED)
    assert [len(page) for page in pages] == [EMBEDDED, EMBEDDED, 5]
    assert pages[-1][-1]["code"] == CODES[-1]
    await assert_limit_capped(client, f"{path}/versions/{newest['id']}/entries", auth)


async def test_a_version_is_reached_only_through_its_own_payer(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    versions = (await client.get(f"/v1/practices/{practice.id}/fee-schedules/COM01", headers=auth)).json()["items"]
    other_payer = f"/v1/practices/{practice.id}/fee-schedules/MCR01/versions/{versions[0]['id']}/entries"
    response = await client.get(other_payer, headers=auth)
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "version_id"


async def test_policy_overrides_and_payer_facts_page_to_the_last(
    client: AsyncClient, auth: dict[str, str], practice: Practice
) -> None:
    payer = f"/v1/practices/{practice.id}/payers/COM01"
    for month in ("01", "02", "03"):
        body = {"effective_from": f"2026-{month}-01", "settings": {"telehealth_pos": "02_10"}}
        assert (await client.put(f"{payer}/policy", json=body, headers=auth)).status_code == 200
        facts = {"facts": {"timely_filing": "180 days"}}
        assert (await client.put(f"{payer}/facts/2026-{month}-01", json=facts, headers=auth)).status_code == 200
    for listing in ("policy", "facts"):
        pages = await every_page(client, f"{payer}/{listing}", auth, limit=2)
        starts = [[item["effective_from"] for item in page] for page in pages]
        assert starts == [["2026-01-01", "2026-02-01"], ["2026-03-01"]]
        await assert_limit_capped(client, f"{payer}/{listing}", auth)
        await assert_foreign_cursor_refused(client, f"{payer}/{listing}", auth)


async def _entries(client: AsyncClient, auth: dict[str, str], path: str, version: str, cursor: str) -> list[str]:
    codes: list[str] = []
    while cursor:
        params = {"limit": 200, "cursor": cursor}
        page = (await client.get(f"{path}/versions/{version}/entries", params=params, headers=auth)).json()
        codes += [entry["code"] for entry in page["items"]]
        cursor = page["next_cursor"]
    return codes
