"""The console's door, in process on its real app: who gets in, how long, and what a form must carry. The
services behind it are unreachable here (see conftest): a page that needs one answers 503 with Retry-After."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from claimstream_devtools.testing import Keys
from console.session import COOKIE, new_id
from console_testkit import cookie, csrf_of, kept
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_without_a_session_every_page_leads_to_the_sign_in_form(client: httpx.AsyncClient) -> None:
    answer = await client.get("/denials?status=open")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fdenials%3Fstatus%3Dopen"
    assert "set-cookie" not in answer.headers  # no cookie came (a link from another site): none is ended
    form = await client.get(answer.headers["location"])
    assert form.status_code == 200 and 'name="password"' in form.text and 'value="/denials?status=open"' in form.text
    assert form.headers["cache-control"] == "no-store" and form.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]


async def test_a_cookie_naming_no_session_of_the_console_is_no_session(client: httpx.AsyncClient) -> None:
    for forged in ("gAAAAABforged", new_id()):
        answer = await client.get("/denials", headers={"Cookie": f"{COOKIE}={forged}"})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
        assert f"{COOKIE}=;" in answer.headers["set-cookie"]  # the dead one is cleared


async def test_a_session_idle_too_long_has_ended(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller", idle=timedelta(minutes=31))
    answer = await client.get("/denials", headers=sent)
    assert answer.status_code == 303 and answer.headers["location"].endswith("&ended=idle")
    assert f"{COOKIE}=;" in answer.headers["set-cookie"]  # cleared
    assert await kept(engine, tmp_path, sent) is None  # and its row removed


async def test_a_live_session_carries_the_persons_token_and_its_visit_is_written_down_once_a_minute(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller", idle=timedelta(minutes=5))
    answer = await client.get("/", headers=sent)
    assert answer.status_code == 200 and "Held claims" in answer.text and "Streams" not in answer.text
    assert "set-cookie" not in answer.headers  # the cookie names the session as long as it lives
    seen = await kept(engine, tmp_path, sent)
    assert seen is not None and seen.seen_lately(datetime.now(UTC))  # 5 minutes ago: written down
    assert (await client.get("/", headers=sent)).status_code == 200
    assert await kept(engine, tmp_path, sent) == seen  # a moment later: no write


async def test_a_session_whose_token_no_service_accepts_is_removed_at_once(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, token="a-token-no-service-accepts")
    answer = await client.get("/", headers=sent)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
    assert f"{COOKIE}=;" in answer.headers["set-cookie"] and await kept(engine, tmp_path, sent) is None


async def test_a_pages_own_reload_is_not_a_visit_so_a_tab_left_open_still_reaches_the_idle_limit(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller", idle=timedelta(minutes=5))
    before = await kept(engine, tmp_path, sent)
    assert (await client.get("/?reloaded=1", headers=sent)).status_code == 200
    assert await kept(engine, tmp_path, sent) == before  # 5 minutes idle, and still: the reload is not written


async def test_a_page_whose_service_is_away_answers_503_with_retry_after(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    answer = await client.get("/denials", headers=await cookie(engine, tmp_path, keys, "biller"))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "denial management is not answering" in answer.text


async def test_a_role_without_the_page_gets_a_page_that_says_so(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    answer = await client.get("/held", headers=await cookie(engine, tmp_path, keys, "read-only"))
    assert answer.status_code == 403 and "<h1>Forbidden</h1>" in answer.text and "role" in answer.text


async def test_a_form_without_the_sessions_csrf_token_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller")
    forged = await client.post("/denials/bulk", data={"action": "assign", "assignee": "x"}, headers=sent)
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = await client.post("/denials/bulk", data={"csrf": "guessed", "action": "assign"}, headers=sent)
    assert wrong.status_code == 403
    right = {"csrf": await csrf_of(engine, tmp_path, sent), "action": "assign", "assignee": "x"}
    reached = await client.post("/denials/bulk", data=right, headers=sent)
    assert reached.status_code == 503  # past the checks: the service itself is away


async def test_a_form_sent_from_another_site_is_refused_before_anything_runs(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller")
    form = {"csrf": await csrf_of(engine, tmp_path, sent), "action": "assign", "assignee": "x"}
    for headers in ({"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        answer = await client.post("/denials/bulk", data=form, headers=sent | headers)
        assert answer.status_code == 403 and "another site" in answer.text, headers


async def test_signing_out_while_identity_is_away_still_ends_the_session_in_the_browser(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller")
    answer = await client.post("/sign-out", data={"csrf": await csrf_of(engine, tmp_path, sent)}, headers=sent)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?ended=out"
    assert f"{COOKIE}=;" in answer.headers["set-cookie"] and "Max-Age=0" in answer.headers["set-cookie"]
    assert await kept(engine, tmp_path, sent) is None  # its row is gone: a copy of the cookie names nothing
    copied = await client.get("/", headers=sent)
    assert copied.status_code == 303 and copied.headers["location"].startswith("/sign-in")
    assert f"{COOKIE}=;" in copied.headers["set-cookie"]


async def test_an_unexpected_failure_is_a_page_too(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path
) -> None:
    answer = await client.get("/kpis?as_of=0001-01-01", headers=await cookie(engine, tmp_path, keys, "biller"))
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")  # bounded day


async def test_signing_in_while_identity_is_away_answers_503(client: httpx.AsyncClient) -> None:
    answer = await client.post("/sign-in", data={"email": "a@b.example", "password": "x" * 12, "next": "/"})
    assert answer.status_code == 503 and "identity is not answering" in answer.text


async def test_the_pages_assets_are_served_by_the_console_itself(client: httpx.AsyncClient) -> None:
    answer = await client.get("/static/console.css")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    page = (await client.get("/sign-in")).text
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
