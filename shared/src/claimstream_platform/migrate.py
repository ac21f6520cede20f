"""Alembic, shared by every migration tree: one tree per service, each in its own schema.

A tree's env.py is two lines: `from claimstream_platform.migrate import run_env; run_env(metadata)`.

Migrations run as the service's owner role (MIGRATION_DATABASE_URL), never as the roles its processes use;
`wall_tenant_tables` is the row-level security every service's tenant tables get (docs/security.md).
"""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from claimstream_platform.db import platform_metadata
from claimstream_platform.engines import one_off_engine
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
        engine = one_off_engine(config.attributes["database_url"])
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

# A row is admitted when it is the transaction's tenant's (`row_security.TENANT_SETTING`); none set, no row: a path
# that forgot to say whose data it works on sees nothing. No setting opens every tenant's rows: any SQL the app role
# runs could set one. What crosses tenants connects as a role of its own, which the `across_tenants` policy names.
TENANT_WALL = "tenant_id = nullif(current_setting('claimstream.tenant_id', true), '')::uuid"
ACROSS_TENANTS = "true"

_TENANT_TABLES = text(
    "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
    " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
    " AND a.attname = 'tenant_id' AND NOT a.attisdropped ORDER BY c.relname"
)


def tenant_tables(connection: Connection) -> list[str]:
    """The tables of the current schema with a `tenant_id`, but for the ones left unwalled on purpose."""
    return [name for name in connection.scalars(_TENANT_TABLES) if name not in UNWALLED]


def wall_tenant_tables(connection: Connection) -> None:
    """For a migration: forced row-level security on every tenant table of the schema, with two policies: the tenant
    wall, for every role, and `across_tenants`, for the schema's across-tenants role alone. Forced, so the owner is
    walled too; only a superuser (or BYPASSRLS, which no claimstream role has) passes. A table added later gets its
    wall in its own migration (`wall_table`)."""
    for table in tenant_tables(connection):
        wall_table(connection, table)


def across_role(connection: Connection) -> str | None:
    """The current schema's across-tenants role (`<schema>_across`, as `claimstream_platform.database_roles` names
    it), or None where the schema has no roles of its own (one role for everything, or a superuser's schema: a
    test's, the projection rebuild's scratch copy), which nothing but a superuser crosses then. A schema whose app
    role exists without it was given its roles before there were three: its migration stops until they are."""
    across, app = connection.execute(text("SELECT current_schema() || '_across', current_schema() || '_app'")).one()
    if _role_exists(connection, across):
        return str(across)
    if _role_exists(connection, app):
        raise RuntimeError(
            f"the role {across} does not exist: run `python -m claimstream_platform.database_roles` for this schema"
            " before migrating it (docs/security.md)"
        )
    return None


def wall_table(connection: Connection, table: str) -> None:
    across = across_role(connection)
    connection.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
    connection.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
    connection.execute(text(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"'))
    connection.execute(text(f'CREATE POLICY tenant_wall ON "{table}" USING ({TENANT_WALL}) WITH CHECK ({TENANT_WALL})'))
    connection.execute(text(f'DROP POLICY IF EXISTS across_tenants ON "{table}"'))
    if across is not None:
        connection.execute(
            text(
                f'CREATE POLICY across_tenants ON "{table}" TO "{across}"'
                f" USING ({ACROSS_TENANTS}) WITH CHECK ({ACROSS_TENANTS})"
            )
        )


def _role_exists(connection: Connection, role: str) -> bool:
    return bool(connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}))


def revoke_from_app(connection: Connection, table: str, privileges: str) -> None:
    """For a migration: take `privileges` on `table` back from the schema's app and across roles (`<schema>_app`,
    `<schema>_across`, as `claimstream_platform.database_roles` names them), where they exist: an append-only table
    keeps INSERT and SELECT alone. Nothing where the schema has no roles of its own (one role for everything)."""
    for suffix in ("_app", "_across"):
        role = connection.scalar(text("SELECT current_schema() || :suffix"), {"suffix": suffix})
        if _role_exists(connection, role):
            connection.execute(text(f'REVOKE {privileges} ON "{table}" FROM "{role}"'))


def unwall_tenant_tables(connection: Connection) -> None:
    for table in tenant_tables(connection):
        connection.execute(text(f'DROP POLICY IF EXISTS across_tenants ON "{table}"'))
        connection.execute(text(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"'))
        connection.execute(text(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY'))


# What the tenant wall said before crossing tenants took a role of its own: a transaction crossed by setting
# `claimstream.all_tenants`, which any SQL of the app role could. Only for going back down past that migration.
SETTING_CROSSED_TENANTS = f"{TENANT_WALL} OR current_setting('claimstream.all_tenants', true) = 'on'"


def wall_by_setting(connection: Connection) -> None:
    """The downgrade of `wall_tenant_tables` past the across-tenants role: the old single policy."""
    for table in tenant_tables(connection):
        connection.execute(text(f'DROP POLICY IF EXISTS across_tenants ON "{table}"'))
        connection.execute(text(f'DROP POLICY IF EXISTS tenant_wall ON "{table}"'))
        wall = SETTING_CROSSED_TENANTS
        connection.execute(text(f'CREATE POLICY tenant_wall ON "{table}" USING ({wall}) WITH CHECK ({wall})'))
