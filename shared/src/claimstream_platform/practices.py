"""The platform's registry of practices: which tenant each practice belongs to (`platform.practices`, beside
`tenants`).

Charge capture sets practices up and registers each here in the same transaction (`register`); the consumer runtime
checks every event's practice against it before any handler runs (`messaging.practice_check`). The one database
of the installation holds it, as it holds `tenants`; a service reads it schema-qualified, whatever its search path.
"""

from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, Table, func, text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from claimstream_platform.db import NAMING_CONVENTION

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
