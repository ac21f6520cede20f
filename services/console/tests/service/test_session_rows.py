"""The sessions kept in the console's own table, on its real app in process: what a sign-in stores and what its
cookie carries (a person of many practices too), a renewal written to the row, ended rows removed, and the table
out of reach answered 503. Identity is away here (conftest): where a test needs its answer, it stands in for the
console's call to it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from claimstream_devtools.testing import Keys
from claimstream_platform.context import NO_TENANT
from claimstream_platform.engines import create_engine, sessions
from console.backend import Backend, Issued
from console.repository import ConsoleWork, SessionStore
from console.session import COOKIE, Session, key_of
from console_testkit import TENANT, cookie, kept, store
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MANY = [uuid4() for _ in range(60)]  # a token naming them was some 4.4 KB sealed in a cookie: browsers drop it


def identity_issues(monkeypatch: pytest.MonkeyPatch, keys: Keys) -> list[str]:
    """Identity's sign-in and renewal answered with tokens of a biller of MANY practices; the tokens issued."""
    issued: list[str] = []

    async def answer(*_: object, **__: object) -> Issued:
        issued.append(keys.issuer.issue(tenant_id=TENANT, roles=["biller"], practice_ids=MANY))
        return Issued(issued[-1], datetime.now(UTC) + timedelta(hours=1))

    monkeypatch.setattr(Backend, "sign_in", answer)
    monkeypatch.setattr(Backend, "renew", answer)
    return issued


async def test_a_person_of_many_practices_signs_in_and_the_cookie_carries_only_an_id(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = identity_issues(monkeypatch, keys)
    form = {"email": "many@console.example", "password": "x" * 12, "next": "/held"}
    answer = await client.post("/sign-in", data=form)
    assert answer.status_code == 303 and answer.headers["location"] == "/held"
    header = answer.headers["set-cookie"]
    assert len(header) < 200 and "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    session_id = header.split(";")[0].removeprefix(f"{COOKIE}=")
    sent = {"Cookie": f"{COOKIE}={session_id}"}
    home = await client.get("/", headers=sent)
    assert home.status_code == 200 and "Held claims" in home.text  # the biller's own token, from the row
    async with engine.connect() as connection:
        (row,) = (await connection.execute(text("SELECT id_sha256, token FROM sessions"))).all()
    assert row.id_sha256 == key_of(session_id) and session_id not in row  # the id is never stored
    assert issued[0] not in row.token and "." not in row.token  # nor the token, but sealed
    assert (await kept(engine, tmp_path, sent) or Session("", False, 0, 0, "")).token == issued[0]


async def test_a_renewal_is_written_to_the_row_and_an_ended_session_is_removed_at_the_next_sign_in(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = identity_issues(monkeypatch, keys)
    now, token = datetime.now(UTC), keys.issuer.issue(tenant_id=TENANT, roles=["biller"])
    sessions_kept = store(engine, tmp_path)
    in_its_last_minutes = Session.begin(token, operator=False, expires_at=now + timedelta(minutes=20), now=now)
    due = await sessions_kept.begin(in_its_last_minutes, now)
    answer = await client.get("/", headers={"Cookie": f"{COOKIE}={due}"})
    assert answer.status_code == 200 and "set-cookie" not in answer.headers
    renewed = await sessions_kept.find(due)
    assert renewed is not None and renewed.token == issued[0] and renewed.csrf == in_its_last_minutes.csrf
    assert renewed.expires_at > (now + timedelta(minutes=50)).timestamp()
    ended = await cookie(engine, tmp_path, keys, "biller")
    await _end_now(engine, ended)
    await client.post("/sign-in", data={"email": "many@console.example", "password": "x" * 12})
    assert await kept(engine, tmp_path, ended) is None and await sessions_kept.find(due) is not None


async def test_the_sessions_out_of_reach_answer_503_with_retry_after(
    client: httpx.AsyncClient, engine: AsyncEngine, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = await cookie(engine, tmp_path, keys, "biller")
    nowhere = create_engine("postgresql+asyncpg://nobody:none@127.0.0.1:9/none", schema="console", connections=2)
    monkeypatch.setattr(SessionStore, "_work", lambda _: ConsoleWork(sessions(nowhere), NO_TENANT))
    try:
        answer = await client.get("/", headers=sent)
    finally:
        await nowhere.dispose()
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "cannot reach its database" in answer.text and "set-cookie" not in answer.headers  # the cookie kept
    assert (await client.get("/sign-in")).status_code == 200  # no cookie, no session to look for


async def _end_now(engine: AsyncEngine, sent: dict[str, str]) -> None:
    """The session's token ended a moment ago."""
    async with engine.begin() as connection:
        key = key_of(sent["Cookie"].removeprefix(f"{COOKIE}="))
        ended = {"key": key, "at": datetime.now(UTC) - timedelta(seconds=1)}
        await connection.execute(text("UPDATE sessions SET expires_at = :at WHERE id_sha256 = :key"), ended)
