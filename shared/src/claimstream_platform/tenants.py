"""Tenants (billing companies): the platform's own schema, written by the admin CLI.

Services never read it: a tenant is proved by a token the CLI signed.
"""

from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, MetaData, String, Table, func, insert, select
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncEngine

from claimstream_platform.db import NAMING_CONVENTION

SCHEMA = "platform"
MIGRATIONS = Path(__file__).parent / "migrations"

metadata = MetaData(naming_convention=NAMING_CONVENTION)
tenants = Table(
    "tenants",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


async def create_tenant(engine: AsyncEngine, name: str, tenant_id: UUID | None = None) -> UUID:
    tenant_id = tenant_id or uuid4()
    async with engine.begin() as connection:
        await connection.execute(insert(tenants).values(id=tenant_id, name=name))
    return tenant_id


async def find_tenant(engine: AsyncEngine, *, tenant_id: UUID | None = None, name: str | None = None) -> UUID | None:
    query = select(tenants.c.id)
    query = query.where(tenants.c.id == tenant_id) if tenant_id else query.where(tenants.c.name == name)
    async with engine.connect() as connection:
        found: UUID | None = await connection.scalar(query)
        return found
