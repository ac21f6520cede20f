"""Database access every service shares: the platform's own tables and the unit of work (the engines and what
counts as a transient failure are in engines.py).

Each service owns one PostgreSQL schema; its connections set `search_path` to that schema, so tables are
named without a schema and the same code runs against a per-service database in production.

Every transaction tells PostgreSQL whose rows it works on (`SET LOCAL` through `set_config(..., true)`, at its
start): row-level security on each tenant table admits only that tenant's rows, whatever a query's own filter
says; a process's few paths that cross tenants on purpose use its across-tenants role's pool (docs/security.md,
"PostgreSQL roles and row-level security").
"""

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from claimstream_platform import access_log
from claimstream_platform.bundling import last_with_commit
from claimstream_platform.context import ACROSS_TENANTS, Tenancy, current_context, current_tenancy
from claimstream_platform.contracts.base import IntegrationEvent
from claimstream_platform.many_rows import insert_many
from claimstream_platform.row_security import tell_tenancy

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

platform_metadata = MetaData(naming_convention=NAMING_CONVENTION)

# The session types services pass around outside their repositories (which alone build SQL): named here so that
# loops and handlers need no SQLAlchemy import of their own.
Session = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]

outbox = Table(
    "outbox",
    platform_metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("event_id", PgUUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
    Column("practice_id", PgUUID(as_uuid=True)),
    Column("correlation_id", PgUUID(as_uuid=True), nullable=False),
    Column("causation_id", PgUUID(as_uuid=True)),
    Column("traceparent", String(64)),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    # A row Kafka will never take (too large, its topic gone) is set aside with the reason; the rows behind it publish.
    Column("quarantined_at", DateTime(timezone=True)),
    Column("quarantine_reason", String(300)),
    # The relay scans only pending rows; sent rows stay for audit until the retention pass prunes them (retention.py).
    Index("ix_outbox_pending", "seq", postgresql_where=text("sent_at IS NULL")),
    Index("ix_outbox_sent_at", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
)
# Sent with the COMMIT of a transaction that wrote to its outbox (`bundling.last_with_commit`): PostgreSQL delivers it
# at commit (never for a rollback), and it wakes the service's idle outbox relay (messaging/wakeup.py), which
# otherwise polls the table only now and then.
OUTBOX_WRITTEN = "SELECT pg_notify('outbox_' || current_schema(), '');"

inbox = Table(
    "inbox",
    platform_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", PgUUID(as_uuid=True), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_inbox_processed_at", "processed_at"),  # the retention pass's (retention.py)
)

idempotency_keys = Table(
    "idempotency_keys",
    platform_metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("principal", String(200), primary_key=True),
    Column("route", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_expires_at", "expires_at"),  # the retention pass's (retention.py)
)


heartbeats = Table(
    "heartbeats",
    platform_metadata,
    # A periodic loop (the submission loop, a simulator cycle) records each pass, so /readyz can tell a stalled loop.
    Column("loop", String(100), primary_key=True),
    Column("interval_seconds", Integer, nullable=False),
    Column("last_pass_at", DateTime(timezone=True)),
    Column("last_error", String(300)),  # the error's type or an operator-facing reason; never PHI
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


class RecordsEvents(Protocol):
    """An aggregate: its methods record what happened, and its handler takes the events to publish them."""

    def take_events(self) -> Sequence[IntegrationEvent]: ...


class UnitOfWork:
    """One database transaction, opened and committed by an entrypoint: the command runner (`run_command`) for a
    route, the consumer runtime for events, a loop for its pass. A service subclasses it so that its repositories
    are its attributes (`uow.claims`, each a `Repository`).

    Handlers reach their repositories and stage what their aggregates recorded (`publish_recorded`); `commit()`
    writes those events to the outbox in the same transaction, so a state change and its events are stored
    together or not at all.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tenancy: Tenancy | None = None,
        *,
        across_tenants: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._across_tenants = across_tenants  # the across-tenants role's sessions, for `across_tenants()`
        self._pending: list[dict[str, Any]] = []
        self.session: AsyncSession
        self.tenancy = tenancy  # None: the context's (`context.acting_as`), read when its transaction begins

    async def __aenter__(self) -> Self:
        self.session = self._sessionmaker()
        if self.tenancy is not None:
            self.session.info["tenancy"] = self.tenancy
        self._pending = []
        return self

    async def act_for(self, tenancy: Tenancy) -> None:
        """Work as `tenancy` from here on, in this transaction and the next: the consumer's switch between the
        tenants of a batch. Inside a savepoint the switch ends with it when it rolls back. The transaction told
        already is not told again: a batch of one tenant's events would otherwise pay a round trip per event."""
        self.tenancy = tenancy
        if self.session.in_transaction() and self.session.info.get("tenancy") == tenancy:
            return
        await tell_tenancy(self.session, tenancy)

    @asynccontextmanager
    async def across_tenants(self) -> AsyncIterator[Self]:
        """A unit of work across tenants for the block (whose SQL says whose rows count), for the few paths that
        must see rows no tenant is known for yet: this one where it already crosses (a loop's pass, an operator's
        request), else a short one on the across-tenants role, since the app role cannot cross. That is a
        transaction of its own: it sees what others committed, not this one's writes, and its own writes (and
        events) commit as the block ends, standing if this one rolls back: a caller writes there only what a retry
        finds done. The request's access record stays with this unit of work's commit."""
        if (self.tenancy or current_tenancy()).across:
            yield self
            return
        if self._across_tenants is None:
            raise RuntimeError("this unit of work was given no across-tenants sessions: it cannot cross tenants")
        async with type(self)(self._across_tenants, ACROSS_TENANTS) as across:
            # This process may hold row locks in its own transaction that the block's would wait for: a cycle
            # through Python PostgreSQL cannot see. A short lock wait ends it with 55P03, an attempt to retry.
            await across.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            yield across
            await across.flush_events()
            await across.session.commit()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._pending = []
        await self.session.rollback()  # a no-op after commit; undoes everything otherwise
        await self.session.close()

    def publish_recorded(self, *aggregates: RecordsEvents) -> list[IntegrationEvent]:
        """Stage every event the aggregates recorded (each one's `take_events()`), in order; the events staged."""
        staged = [event for aggregate in aggregates for event in aggregate.take_events()]
        for event in staged:
            self.publish(event)
        return staged

    async def one_snapshot(self) -> None:
        """Every read of this unit of work from here sees the database as of one instant (REPEATABLE READ): reads
        in several statements that must add up, while writers commit between them. Called before the first read;
        the pool resets the connection's level when it is given back."""
        await self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})

    def publish(self, event: IntegrationEvent) -> UUID:
        """Stage an event to be written to the outbox at commit; returns its event id."""
        context = current_context()
        event_id = uuid4()
        self._pending.append(
            {
                "event_id": event_id,
                "topic": event.topic,
                "key": event.partition_key,
                "event_type": event.event_type,
                "subject": event.subject,
                "tenant_id": event.tenant_id,
                "practice_id": event.practice_id,
                "correlation_id": context.correlation_id or event_id,
                "causation_id": context.causation_id,
                "traceparent": context.traceparent(),
                "payload": event.model_dump_json().encode(),
            }
        )
        return event_id

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A savepoint for one attempt: when the block fails, its writes roll back and so do the events it staged
        (a retried handler would otherwise publish what its rolled-back attempt said had happened)."""
        staged, told = len(self._pending), self.session.info.get("tenancy")
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            del self._pending[staged:]
            self.session.info["tenancy"] = told  # what the transaction says again (`act_for`)
            raise

    async def flush_events(self) -> None:
        if self._pending:
            await insert_many(self.session, outbox, self._pending)
            await last_with_commit(self.session, OUTBOX_WRITTEN)
            self._pending = []

    async def commit(self) -> None:
        # An audited request's access record goes in the same transaction as its change (access_log.stage).
        access = access_log.stage(self.publish, (row["tenant_id"] for row in self._pending))
        await self.flush_events()
        await self.session.commit()
        access_log.committed(access)


class Repository:
    """The SQL of one aggregate or read model, reached from a service's unit of work (`uow.claims`), never built
    by its callers: every read and write is in the unit's transaction, and events staged beside them go out with
    it. The tenant filter is written once, in `mine`; a repository over several tables writes one per table."""

    table: ClassVar[Table]

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    def mine(self, tenant_id: UUID, table: Table | None = None) -> ColumnElement[bool]:
        """This tenant's rows of `table` (the repository's own unless it names another of its tables): the one place
        the repository says whose data it reads."""
        return (self.table if table is None else table).c.tenant_id == tenant_id

    def mine_in(
        self, tenant_id: UUID, practice_ids: Iterable[UUID] | None, table: Table | None = None
    ) -> list[ColumnElement[bool]]:
        """This tenant's rows, of `practice_ids` when given (the practices a caller's token allows)."""
        where = [self.mine(tenant_id, table)]
        if practice_ids is not None:
            where.append((self.table if table is None else table).c.practice_id.in_(list(practice_ids)))
        return where
