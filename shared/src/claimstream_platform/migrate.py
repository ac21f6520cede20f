"""Alembic, shared by every migration tree: one tree per service, each in its own schema.

A tree's env.py is two lines: `from claimstream_platform.migrate import run_env; run_env(metadata)`.

Migrations run as the service's owner role (MIGRATION_DATABASE_URL), never as the app role its processes use;
`wall_tenant_tables` is the row-level security every service's tenant tables get (docs/security.md).
"""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from claimstream_platform.db import platform_metadata
from claimstream_platform.settings import ServiceSettings


def upgrade(database_url: str, *, schema: str, script_location: Path) -> None:
    """Apply a tree's migrations up to head. Synchronous: call it from a thread inside an event loop."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    config.attributes["schema"] = schema
    command.upgrade(config, "head")


def upgrade_service(settings: ServiceSettings, script_location: Path) -> None:
    """`python -m <service> migrate`: the service's tree, into the schema its settings name, as its owner role."""
    upgrade(settings.migration_url, schema=settings.database_schema, script_location=script_location)


def run_env(target_metadata: MetaData) -> None:
    config = context.config
    schema = config.attributes["schema"]

    def migrate(connection: Connection) -> None:
        # Only when missing: an owner role that was given its schema has no right to create one (nor needs it).
        if connection.scalar(text("SELECT to_regnamespace(:schema)"), {"schema": schema}) is None:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(text(f'SET search_path TO "{schema}"'))
        connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()
            revoke_from_app(connection, "alembic_version", "INSERT, UPDATE, DELETE")

    async def run() -> None:
        engine = create_async_engine(config.attributes["database_url"])
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(run())


def create_platform_tables(connection: Connection) -> None:
    """For a service's first migration: the outbox, inbox and idempotency-key tables, in its schema."""
    platform_metadata.create_all(connection, checkfirst=True)


# Tables of a tenant's data that are not walled, and why (docs/security.md lists them): the outbox is written at
# commit by every unit of work, a consumer's batch of several tenants in one statement, and read by the relay
# alone, which publishes every tenant's events; no query path of a request reads it.
UNWALLED = frozenset({"outbox", "revocations"})  # revocations: every request checks it before its tenant is set

# A row is admitted when it is the transaction's tenant's (`row_security.TENANT_SETTING`), or when the transaction said
# explicitly that it works across tenants (`row_security.ACROSS_TENANTS_SETTING`: a loop's sweep, an installation
# operator). Neither set, no row: a path that forgot to say whose data it works on sees nothing.
TENANT_WALL = (
    "tenant_id = nullif(current_setting('claimstream.tenant_id', true), '')::uuid"
    " OR current_setting('claimstream.all_tenants', true) = 'on'"
)

_TENANT_TABLES = text(
    "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
    " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
    " AND a.attname = 'tenant_id' AND NOT a.attisdropped ORDER BY c.relname"
)


def tenant_tables(connection: Connection) -> list[str]:
    """The tables of the current schema with a `tenant_id`, but for the ones left unwalled on purpose."""
    return [name for name in connection.scalars(_TENANT_TABLES) if name not in UNWALLED]


def wall_tenant_tables(connection: Connection) -> None:
    """For a migration: forced row-level security, with the tenant wall as its one policy, on every tenant table of
    the schema. Forced, so the owner is walled too; only a superuser (or BYPASSRLS, which no claimstream role has)
    passes. A table added later gets its wall in its own migration (`wall_table`)."""
    for table in tenant_tables(connection):
        wall_table(connection, table)


def wall_table(connection: Connection, table: str) -> None:
    connection.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
    connection.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
    connection.execute(text(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"'))
    connection.execute(text(f'CREATE POLICY tenant_wall ON "{table}" USING ({TENANT_WALL}) WITH CHECK ({TENANT_WALL})'))


def revoke_from_app(connection: Connection, table: str, privileges: str) -> None:
    """For a migration: take `privileges` on `table` back from the schema's app role (`<schema>_app`, as
    `claimstream_platform.database_roles` names it), when there is one: an append-only table keeps INSERT and
    SELECT alone. Nothing where the schema has no roles of its own (one role for everything)."""
    app = connection.scalar(text("SELECT current_schema() || '_app'"))
    if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :app"), {"app": app}):
        connection.execute(text(f'REVOKE {privileges} ON "{table}" FROM "{app}"'))


def unwall_tenant_tables(connection: Connection) -> None:
    for table in tenant_tables(connection):
        connection.execute(text(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"'))
        connection.execute(text(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY'))
