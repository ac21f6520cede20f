"""A schema given a recorded migration again (`migration_replay`, what every service test's schema is after the
first) is the schema alembic makes: the same tables, columns, constraints, indexes, row-level security, policies,
grants (of tables, columns and by default), triggers, functions, sequences, types, views, comments and rows, for
every service's tree."""

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from claimstream_devtools.migration_replay import recorded, replay
from claimstream_devtools.schemas_under_test import drop_schema
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.database_roles import ensure_roles
from claimstream_platform.engines import one_off_engine
from claimstream_platform.kit import discover
from sqlalchemy import text

SERVICES = discover(Path(__file__).parents[3] / "services")

CATALOG = {
    "column": "SELECT table_name, column_name, data_type, is_nullable, column_default"
    " FROM information_schema.columns WHERE table_schema = :s",
    "constraint": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
    " JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :s",
    "index": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s",
    "relation": "SELECT relname, relkind, relrowsecurity, relforcerowsecurity, relowner::regrole::text, relacl::text"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s",
    "policy": "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check"
    " FROM pg_policies WHERE schemaname = :s",
    "trigger": "SELECT tgrelid::regclass::text, pg_get_triggerdef(t.oid) FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :s AND NOT t.tgisinternal",
    "function": "SELECT pg_get_functiondef(p.oid), p.proowner::regrole::text, p.proacl::text FROM pg_proc p"
    " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s",
    "sequence": "SELECT sequencename, data_type, start_value, min_value, max_value, increment_by, cycle, last_value"
    " FROM pg_sequences WHERE schemaname = :s",
    "type": "SELECT t.typname, t.typtype, format_type(t.oid, NULL),"
    " array(SELECT enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text"
    " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = :s AND t.typtype IN ('e', 'd')",
    "view": "SELECT viewname, definition FROM pg_views WHERE schemaname = :s",
    "comment": "SELECT c.relname, d.objsubid, d.description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s",
    "column grant": "SELECT c.relname, a.attname, a.attacl::text FROM pg_attribute a"
    " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :s AND a.attacl IS NOT NULL",
    "default grant": "SELECT defaclrole::regrole::text, defaclobjtype, defaclacl::text FROM pg_default_acl d"
    " JOIN pg_namespace n ON n.oid = d.defaclnamespace WHERE n.nspname = :s",
    "schema": "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname = :s",
}


def _timeless(value: Any) -> Any:
    """A time a migration wrote (now(), when it ran) differs between two runs of it."""
    return "<time>" if isinstance(value, datetime) else value


async def catalog(database_url: str, schema: str) -> list[str]:
    """What the server holds of the schema, its name (and its roles') written as <schema>; each table's rows."""
    engine = one_off_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = [
                f"{kind}: {tuple(row)}"
                for kind, query in CATALOG.items()
                for row in await connection.execute(text(query), {"s": schema})
            ]
            tables = await connection.scalars(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}
            )
            for table in list(tables):
                rows = await connection.execute(text(f'SELECT * FROM "{schema}"."{table}"'))
                found += [f"row of {table}: {tuple(map(_timeless, row))}" for row in rows]
    finally:
        await engine.dispose()
    return sorted(line.replace(schema, "<schema>") for line in found)


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.package)
async def test_a_replayed_migration_makes_the_schema_alembic_made(stack: StackUnderTest, service: Any) -> None:
    migrated, replayed = f"mig_{uuid4().hex[:12]}", f"mig_{uuid4().hex[:12]}"
    roles = {name: await ensure_roles(stack.database_url, name, service.package) for name in (migrated, replayed)}
    await _compared(stack, service, (migrated, roles[migrated].owner_url), (replayed, roles[replayed].owner_url))


async def test_so_does_one_into_a_schema_without_roles_of_its_own(stack: StackUnderTest) -> None:
    """The migration then makes the schema itself, and its policies name no role (test_retention.py's schemas)."""
    migrated, replayed = f"mig_{uuid4().hex[:12]}", f"mig_{uuid4().hex[:12]}"
    await _compared(stack, SERVICES[0], (migrated, stack.database_url), (replayed, stack.database_url))


async def _compared(stack: StackUnderTest, service: Any, migrated: tuple[str, str], replayed: tuple[str, str]) -> None:
    try:
        recording = await asyncio.to_thread(recorded, migrated[1], migrated[0], service.migrations)
        await replay(recording, replayed[1], replayed[0])
        alembics = await catalog(stack.database_url, migrated[0])
        assert any(line.startswith("row of alembic_version") for line in alembics)
        assert await catalog(stack.database_url, replayed[0]) == alembics
    finally:
        for name, url in (migrated, replayed):
            await drop_schema(stack, name, roles=url != stack.database_url)
