"""Helpers for the console's tests: its session key in the test's folder, and sessions sealed with it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from claimstream_devtools.testing import Keys
from console.session import COOKIE, Sealer, Session, new_key

TENANT = uuid4()


def key_file(folder: Path) -> Path:
    """The console's session key (made once per test folder)."""
    path = folder / "console-session.key"
    if not path.exists():
        path.write_bytes(new_key())
    return path


def cookie(
    folder: Path, keys: Keys, *roles: str, idle: timedelta = timedelta(0), tenant: UUID = TENANT
) -> dict[str, str]:
    """A session of a person with these roles, as the console seals it, last seen `idle` ago: the request's
    Cookie header."""
    now = datetime.now(UTC)
    token = keys.issuer.issue(tenant_id=tenant, roles=list(roles), lifetime=timedelta(hours=1))
    session = Session.begin(token, operator=False, expires_at=now + timedelta(hours=1), now=now - idle)
    return {"Cookie": f"{COOKIE}={Sealer(key_file(folder).read_bytes()).seal(session)}"}


def csrf_of(folder: Path, sealed: dict[str, str]) -> str:
    session = Sealer(key_file(folder).read_bytes()).open(sealed["Cookie"].removeprefix(f"{COOKIE}="))
    assert session is not None
    return session.csrf
