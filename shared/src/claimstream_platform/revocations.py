"""The revocation list every API process checks on every request (docs/security.md).

The identity service writes it, in its own schema: a token's `jti` revoked until the token would have expired (a
sign-out, a renewal, an integration token withdrawn), or every token of a subject of one tenant (None: an
installation operator) issued before a time (a user disabled). Identity's subjects are unique across tenants; the
tenant is part of the match all the same, so a subject string reused in another tenant's token is not refused.
Every API process keeps the whole list in memory, so the check on a request is a dictionary lookup. The list is
refreshed by one indexed query for the rows after the last one it saw, on a connection of its own (a refresh never
queues behind the requests for the pool): before a request, when it is more than a second old (`interval`), shared
by the requests that arrive meanwhile and waited for at most `wait` seconds; and every `keep_young` seconds (10)
in the background, so that an idle process's list is never older than that when a request comes. A busy process
asks once a second, an idle one once in ten (a timer asking every second cost every idle API a query a second).
A revoked token is refused within about a second while the database answers within `wait`.

When a refresh fails the process keeps answering from the list it has for `max_stale` seconds (30 by default),
then answers 503 to every authenticated request until a refresh succeeds: a revoked token is accepted for at most
that long after the database went away, never indefinitely. After a failure, requests do not wait for the next
refresh, which is tried a second after the failure ended, so a database away does not slow every request down.
A process that has never loaded the list answers 503.

Rows are appended in commit order (the identity service takes one lock per insert), so "every row after seq N"
never skips a row that a slower transaction commits later.
"""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    MetaData,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from claimstream_platform.auth import Caller, Principal
from claimstream_platform.db import NAMING_CONVENTION
from claimstream_platform.errors import TransientError, Unauthenticated

log = logging.getLogger(__name__)

SCHEMA = "identity"  # the identity service's schema, where the list lives

metadata = MetaData(naming_convention=NAMING_CONVENTION)
revocations = Table(
    "revocations",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("jti", String(64)),  # one token, or
    Column("subject", String(200)),  # every token of this subject issued at or before `issued_before`
    Column("issued_before", DateTime(timezone=True)),
    Column("tenant_id", PgUUID(as_uuid=True)),  # None: an installation operator's
    Column("expires_at", DateTime(timezone=True), nullable=False),  # after it, no token the row names is valid
    Column("reason", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("(jti IS NULL) <> (subject IS NULL)", name="one_target"),
    CheckConstraint("subject IS NULL OR issued_before IS NOT NULL", name="subject_cutoff"),
)


def create_tables(connection: Connection) -> None:
    """For the identity service's migration (and the tests' schemas): the list's table, in the current schema."""
    metadata.create_all(connection, checkfirst=True)


@dataclass
class RevocationList:
    """What one process knows: revoked token ids and subjects' cutoffs, each until it no longer matters."""

    tokens: dict[str, datetime] = field(default_factory=dict)  # jti: when the token expires anyway
    # (tenant, subject): (cutoff, expires); the tenant None for an installation operator
    subjects: dict[tuple[UUID | None, str], tuple[datetime, datetime]] = field(default_factory=dict)
    cursor: int = 0  # the last row seen

    def add(
        self,
        seq: int,
        jti: str | None,
        subject: str | None,
        cutoff: datetime | None,
        expires: datetime,
        tenant_id: UUID | None = None,
    ) -> None:
        self.cursor = max(self.cursor, seq)
        if jti is not None:
            self.tokens[jti] = expires
        elif subject is not None and cutoff is not None:
            known = self.subjects.get((tenant_id, subject))
            if known is None or known[0] < cutoff:
                self.subjects[(tenant_id, subject)] = (cutoff, expires)

    def revoked(self, caller: Caller) -> bool:
        if caller.token_id in self.tokens:
            return True
        tenant_id = caller.tenant_id if isinstance(caller, Principal) else None
        cutoff = self.subjects.get((tenant_id, caller.subject))
        return cutoff is not None and caller.issued_at is not None and caller.issued_at <= cutoff[0]

    def prune(self, now: datetime) -> None:
        self.tokens = {jti: expires for jti, expires in self.tokens.items() if expires > now}
        self.subjects = {subject: entry for subject, entry in self.subjects.items() if entry[1] > now}


class Revocations:
    """The list as one API process holds it: `start()` loads it, `fresh()` refreshes it when it is older than
    `interval`, `check(caller)` consults it. The engine is the list's own, disposed of by `close()`."""

    def __init__(
        self,
        engine: AsyncEngine,
        schema: str,
        *,
        interval: float = 1.0,
        max_stale: float = 30.0,
        wait: float = 1.0,
        keep_young: float = 10.0,
    ) -> None:
        self._own_engine = engine
        self._engine = engine.execution_options(schema_translate_map={None: schema})
        self._interval, self._max_stale, self._wait, self._keep_young = interval, max_stale, wait, keep_young
        self._list = RevocationList()
        self._loaded_at: float | None = None  # monotonic time of the last successful refresh
        self._failed_at: float | None = None  # of the end of the last refresh, when it failed
        self._refreshing: asyncio.Task[None] | None = None
        self._young: asyncio.Task[None] | None = None

    def check(self, caller: Caller) -> None:
        """Refuse a revoked token (401), and every token while the list is older than `max_stale` (503)."""
        if self._loaded_at is None or time.monotonic() - self._loaded_at > self._max_stale:
            raise TransientError("the token revocation list is out of date", retry_after=5)
        if self._list.revoked(caller):
            raise Unauthenticated("token revoked")

    async def fresh(self) -> None:
        """Before a request is authenticated: the list refreshed when older than `interval`, waited for at most
        `wait` seconds (a refresh still running then goes on, for the next requests). After a failed refresh,
        the next starts `interval` after it, and no request waits for it."""
        now = time.monotonic()
        if self._loaded_at is not None and now - self._loaded_at < self._interval:
            return
        failed_at = self._failed_at
        if self._refreshing is None and (failed_at is None or now - failed_at >= self._interval):
            self._refreshing = asyncio.create_task(self._refresh_logged(), name="revocations")
        if self._refreshing is not None and failed_at is None:
            await asyncio.wait([self._refreshing], timeout=self._wait)

    async def refresh(self) -> None:
        """The rows after the last one seen (all of them on the first call), and expired entries forgotten (the
        identity service deletes rows long expired, so the first load stays small)."""
        r = revocations.c
        query = select(r.seq, r.jti, r.subject, r.issued_before, r.expires_at, r.tenant_id)
        query = query.where(r.seq > self._list.cursor)
        async with asyncio.timeout(5), self._engine.connect() as connection:
            rows = (await connection.execute(query.order_by(r.seq))).all()
        for row in rows:
            self._list.add(row.seq, row.jti, row.subject, row.issued_before, row.expires_at, row.tenant_id)
        self._list.prune(datetime.now(UTC))
        self._loaded_at = time.monotonic()

    async def start(self) -> None:
        """Load the list before the first request (a failure is logged: requests get 503 until a refresh works),
        and keep it young in the background."""
        self._refreshing = asyncio.create_task(self._refresh_logged(), name="revocations")
        await self._refreshing
        self._young = asyncio.create_task(self._keep_it_young(), name="revocations-young")

    async def close(self) -> None:
        for task in (self._young, self._refreshing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._own_engine.dispose()

    async def _keep_it_young(self) -> None:
        while True:
            await asyncio.sleep(self._keep_young)
            if self._loaded_at is None or time.monotonic() - self._loaded_at >= self._keep_young:
                await self.fresh()

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh()
            self._failed_at = None
        except Exception as error:  # the database away or the list's table missing: fail closed after max_stale
            self._failed_at = time.monotonic()
            log.warning("revocation list refresh failed", extra={"error": type(error).__name__})
        finally:
            self._refreshing = None


class NoRevocations(Revocations):
    """For an API whose tokens are not ours (the simulated clearinghouse): nothing is revoked here."""

    def __init__(self) -> None:
        return None

    def check(self, caller: Caller) -> None:
        return None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def fresh(self) -> None:
        return None
