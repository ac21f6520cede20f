"""Helpers for the console's tests: its session key in the test's folder, and sessions kept as the console keeps
them (a row in its schema, the cookie naming it)."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from claimstream_devtools.testing import Keys
from claimstream_platform.engines import sessions
from console.repository import SessionStore
from console.session import COOKIE, Sealer, Session, new_key
from sqlalchemy.ext.asyncio import AsyncEngine

TENANT = uuid4()


def key_file(folder: Path) -> Path:
    """The console's session key (made once per test folder)."""
    path = folder / "console-session.key"
    if not path.exists():
        path.write_bytes(new_key())
    return path


def store(engine: AsyncEngine, folder: Path) -> SessionStore:
    """The sessions in the test's schema, under the test's key."""
    return SessionStore(lambda: sessions(engine), Sealer(key_file(folder).read_bytes()))


async def cookie(
    engine: AsyncEngine,
    folder: Path,
    keys: Keys,
    *roles: str,
    idle: timedelta = timedelta(0),
    tenant: UUID = TENANT,
    practice_ids: Iterable[UUID] | None = None,
    token: str | None = None,
) -> dict[str, str]:
    """A session of a person with these roles (or of `token` as given), kept as the console keeps it, last seen
    `idle` ago: the request's Cookie header."""
    now = datetime.now(UTC)
    token = token or keys.issuer.issue(tenant_id=tenant, roles=list(roles), practice_ids=practice_ids)
    session = Session.begin(token, operator=False, expires_at=now + timedelta(hours=1), now=now - idle)
    return {"Cookie": f"{COOKIE}={await store(engine, folder).begin(session, now)}"}


async def kept(engine: AsyncEngine, folder: Path, sent: dict[str, str]) -> Session | None:
    """The session a Cookie header names, as its row stands."""
    return await store(engine, folder).find(sent["Cookie"].removeprefix(f"{COOKIE}="))


async def csrf_of(engine: AsyncEngine, folder: Path, sent: dict[str, str]) -> str:
    session = await kept(engine, folder, sent)
    assert session is not None
    return session.csrf
