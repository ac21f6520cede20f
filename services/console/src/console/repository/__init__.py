"""All of the console's SQL, reached from its unit of work (`ConsoleWork`): `uow.sessions`, the signed-in people's
sessions. The gate and the sign-in and sign-out pages reach them through `SessionStore`: the gate runs before the
route that a request's unit of work is made for, so each of their calls is a short unit of work of its own."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import cached_property

from claimstream_platform.context import NO_TENANT
from claimstream_platform.db import SessionFactory, UnitOfWork

from console.repository.sessions import Sessions
from console.session import Sealer, Session, key_of, new_id


class ConsoleWork(UnitOfWork):
    """The console's unit of work: one transaction, and its repositories (one of each per unit)."""

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(self)


class SessionStore:
    """The sessions as the gate and the pages use them: ids in and out raw (the table keeps their hash), tokens in
    and out plain (the table keeps them sealed). Each call is one transaction on the app role's pool, as no tenant
    (the table has none: tables.py); a database away raises what the platform takes for an outage."""

    def __init__(self, sessionmaker: Callable[[], SessionFactory], sealer: Sealer) -> None:
        self.sessionmaker, self.sealer = sessionmaker, sealer  # the pool is the platform's, opened with the app

    async def begin(self, session: Session, now: datetime) -> str:
        """A new session's row; its id, for the cookie. Sessions whose token has ended go at the same time."""
        session_id = new_id()
        async with self._work() as uow:
            await uow.sessions.remove_ended(now)
            await uow.sessions.add(key_of(session_id), replace(session, token=self.sealer.seal(session.token)))
            await uow.commit()
        return session_id

    async def find(self, session_id: str) -> Session | None:
        """The session, or None for an id no row has (forged, or ended) or a token the key no longer opens."""
        async with self._work() as uow:
            kept = await uow.sessions.find(key_of(session_id))
        if kept is None:
            return None
        token = self.sealer.open(kept.token)
        return replace(kept, token=token) if token is not None else None

    async def renewed(self, session_id: str, session: Session) -> None:
        async with self._work() as uow:
            await uow.sessions.renewed(key_of(session_id), replace(session, token=self.sealer.seal(session.token)))
            await uow.commit()

    async def seen(self, session_id: str, at: datetime) -> None:
        async with self._work() as uow:
            await uow.sessions.seen(key_of(session_id), at)
            await uow.commit()

    async def end(self, session_id: str) -> None:
        async with self._work() as uow:
            await uow.sessions.remove(key_of(session_id))
            await uow.commit()

    def _work(self) -> ConsoleWork:
        return ConsoleWork(self.sessionmaker(), NO_TENANT)
