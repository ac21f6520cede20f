"""The signed-in people's sessions (`uow.sessions`): one row each, found by the SHA-256 of its id (`session.key_of`).

No tenant filter (`mine`): the table has no tenant (tables.py); a row is reached only by the hash of an id its
cookie alone carries. The token is stored as given, sealed by the caller (`SessionStore`)."""

from datetime import UTC, datetime

from claimstream_platform.db import Repository
from sqlalchemy import delete, insert, select, update

from console.session import Session
from console.tables import sessions

s = sessions.c


class Sessions(Repository):
    table = sessions

    async def add(self, key: str, session: Session) -> None:
        await self.session.execute(insert(sessions).values(id_sha256=key, **_columns(session)))

    async def find(self, key: str) -> Session | None:
        query = select(s.token, s.operator, s.expires_at, s.seen_at, s.csrf).where(s.id_sha256 == key)
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return Session(row.token, row.operator, row.expires_at.timestamp(), row.seen_at.timestamp(), row.csrf)

    async def renewed(self, key: str, session: Session) -> None:
        """The new token and its end (not the visit: another request may have written a later one meanwhile)."""
        values = _columns(session)
        renewal = {name: values[name] for name in ("token", "expires_at")}
        await self.session.execute(update(sessions).where(s.id_sha256 == key).values(**renewal))

    async def seen(self, key: str, at: datetime) -> None:
        """The visit alone: a request that read the row before another renewed it must not put the old token back."""
        await self.session.execute(update(sessions).where(s.id_sha256 == key).values(seen_at=at))

    async def remove(self, key: str) -> None:
        await self.session.execute(delete(sessions).where(s.id_sha256 == key))

    async def remove_ended(self, now: datetime) -> None:
        """Sessions whose token has ended: no request can use them any more."""
        await self.session.execute(delete(sessions).where(s.expires_at <= now))


def _columns(session: Session) -> dict[str, object]:
    return {
        "token": session.token,
        "operator": session.operator,
        "expires_at": datetime.fromtimestamp(session.expires_at, UTC),
        "seen_at": datetime.fromtimestamp(session.seen_at, UTC),
        "csrf": session.csrf,
    }
