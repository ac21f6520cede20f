"""The console's door, in process on its real app: who gets in, how long, and what a form must carry. The
services behind it are unreachable here (see conftest): a page that needs one answers 503 with Retry-After."""

from datetime import timedelta
from pathlib import Path

import httpx
from claimstream_devtools.testing import Keys
from console.session import COOKIE
from console_testkit import cookie, csrf_of


async def test_without_a_session_every_page_leads_to_the_sign_in_form(client: httpx.AsyncClient) -> None:
    answer = await client.get("/denials?status=open")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fdenials%3Fstatus%3Dopen"
    assert "set-cookie" not in answer.headers  # no cookie came (a link from another site): none is ended
    form = await client.get(answer.headers["location"])
    assert form.status_code == 200 and 'name="password"' in form.text and 'value="/denials?status=open"' in form.text
    assert form.headers["cache-control"] == "no-store" and form.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]


async def test_a_cookie_not_sealed_by_the_console_is_no_session(client: httpx.AsyncClient) -> None:
    answer = await client.get("/denials", headers={"Cookie": f"{COOKIE}=gAAAAABforged"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
    assert f"{COOKIE}=;" in answer.headers["set-cookie"]  # the dead one is cleared


async def test_a_session_idle_too_long_has_ended(client: httpx.AsyncClient, keys: Keys, tmp_path: Path) -> None:
    sealed = cookie(tmp_path, keys, "biller", idle=timedelta(minutes=31))
    answer = await client.get("/denials", headers=sealed)
    assert answer.status_code == 303 and answer.headers["location"].endswith("&ended=idle")
    assert f"{COOKIE}=;" in answer.headers["set-cookie"]  # cleared


async def test_a_live_session_carries_the_persons_token_and_is_sealed_again(
    client: httpx.AsyncClient, keys: Keys, tmp_path: Path
) -> None:
    sealed = cookie(tmp_path, keys, "biller", idle=timedelta(minutes=5))
    answer = await client.get("/", headers=sealed)
    assert answer.status_code == 200 and "Held claims" in answer.text and "Streams" not in answer.text
    flags = answer.headers["set-cookie"]
    assert "HttpOnly" in flags and "SameSite=Strict" in flags and "Secure" in flags
    assert flags.split(";")[0] != sealed["Cookie"]  # seen now: sealed anew


async def test_a_page_whose_service_is_away_answers_503_with_retry_after(
    client: httpx.AsyncClient, keys: Keys, tmp_path: Path
) -> None:
    answer = await client.get("/denials", headers=cookie(tmp_path, keys, "biller"))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "denial management is not answering" in answer.text


async def test_a_role_without_the_page_gets_a_page_that_says_so(
    client: httpx.AsyncClient, keys: Keys, tmp_path: Path
) -> None:
    answer = await client.get("/held", headers=cookie(tmp_path, keys, "read-only"))
    assert answer.status_code == 403 and "<h1>Forbidden</h1>" in answer.text and "role" in answer.text


async def test_a_form_without_the_sessions_csrf_token_is_refused(
    client: httpx.AsyncClient, keys: Keys, tmp_path: Path
) -> None:
    sealed = cookie(tmp_path, keys, "biller")
    forged = await client.post("/denials/bulk", data={"action": "assign", "assignee": "x"}, headers=sealed)
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = await client.post("/denials/bulk", data={"csrf": "guessed", "action": "assign"}, headers=sealed)
    assert wrong.status_code == 403
    right = {"csrf": csrf_of(tmp_path, sealed), "action": "assign", "assignee": "x"}
    reached = await client.post("/denials/bulk", data=right, headers=sealed)
    assert reached.status_code == 503  # past the checks: the service itself is away


async def test_a_form_sent_from_another_site_is_refused_before_anything_runs(
    client: httpx.AsyncClient, keys: Keys, tmp_path: Path
) -> None:
    sealed = cookie(tmp_path, keys, "biller")
    form = {"csrf": csrf_of(tmp_path, sealed), "action": "assign", "assignee": "x"}
    for headers in ({"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        answer = await client.post("/denials/bulk", data=form, headers=sealed | headers)
        assert answer.status_code == 403 and "another site" in answer.text, headers


async def test_signing_out_while_identity_is_away_still_ends_the_session_in_the_browser(
    client: httpx.AsyncClient, keys: Keys, tmp_path: Path
) -> None:
    sealed = cookie(tmp_path, keys, "biller")
    answer = await client.post("/sign-out", data={"csrf": csrf_of(tmp_path, sealed)}, headers=sealed)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?ended=out"
    assert f"{COOKIE}=;" in answer.headers["set-cookie"] and "Max-Age=0" in answer.headers["set-cookie"]


async def test_an_unexpected_failure_is_a_page_too(client: httpx.AsyncClient, keys: Keys, tmp_path: Path) -> None:
    answer = await client.get("/kpis?as_of=0001-01-01", headers=cookie(tmp_path, keys, "biller"))
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")  # bounded day


async def test_signing_in_while_identity_is_away_answers_503(client: httpx.AsyncClient) -> None:
    answer = await client.post("/sign-in", data={"email": "a@b.example", "password": "x" * 12, "next": "/"})
    assert answer.status_code == 503 and "identity is not answering" in answer.text


async def test_the_pages_assets_are_served_by_the_console_itself(client: httpx.AsyncClient) -> None:
    answer = await client.get("/static/console.css")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    page = (await client.get("/sign-in")).text
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
