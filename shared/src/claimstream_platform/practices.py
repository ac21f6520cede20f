"""The platform's registry of practices: which tenant each practice belongs to (`platform.practices`, beside
`tenants`).

Charge capture sets practices up and registers each here in the same transaction (`register`): a practice is
known here from the moment its creation is answered. The consumer runtime checks every event's practice against it
before any handler runs (`messaging.practice_check`), and a route that creates something for a practice named in
its body checks that practice with `require_practices`. The one database of the installation holds it, as it
holds `tenants`; a service reads it schema-qualified, whatever its search path.
"""

from collections.abc import Iterable, Mapping
from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, Table, func, select, text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform.auth import Principal
from claimstream_platform.db import NAMING_CONVENTION, UnitOfWork
from claimstream_platform.errors import NotFound

SCHEMA = "platform"  # the tenants' schema (tenants.SCHEMA)

metadata = MetaData(naming_convention=NAMING_CONVENTION)
practices = Table(
    "practices",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant_id", PgUUID(as_uuid=True), nullable=False),  # never changes: consumers cache it
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    schema=SCHEMA,
)


def create_registry(connection: Connection) -> None:
    """The registry, if it is not there yet: for the platform's own migration and for charge capture's, so that
    neither depends on the other having run first."""
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    metadata.create_all(connection, checkfirst=True)


async def register(session: AsyncSession, practice_id: UUID, tenant_id: UUID) -> None:
    """Record the practice as the tenant's, in the caller's transaction (the one that sets the practice up)."""
    statement = insert(practices).values(id=practice_id, tenant_id=tenant_id)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))


async def owners(session: AsyncSession, practice_ids: Iterable[UUID]) -> dict[UUID, UUID]:
    """The tenant of each practice the registry knows (one it does not know is absent)."""
    query = select(practices.c.id, practices.c.tenant_id).where(practices.c.id.in_(sorted(set(practice_ids))))
    return {row.id: row.tenant_id for row in await session.execute(query)}


async def require_practices(uow: UnitOfWork, principal: Principal, named: Mapping[str, UUID]) -> None:
    """A route's check of the practices its body names (the field naming each -> its id), in the unit of work's
    transaction, before anything is written or asked of a partner: each must be one of the caller's tenant's
    practices and within its token's. Otherwise 404 naming the field, as for a practice that never existed, whoever's
    it is (a token cannot learn that another tenant's practice exists, nor file a row of its own under it)."""
    for field, practice_id in named.items():
        if not principal.may_access(practice_id):
            raise NotFound("practice not found", field=field)
    known = await owners(uow.session, named.values())
    for field, practice_id in named.items():
        if known.get(practice_id) != principal.tenant_id:
            raise NotFound("practice not found", field=field)
