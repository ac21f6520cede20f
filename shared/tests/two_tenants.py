"""Rows of two tenants in every tenant table of a service's schema, for the tests of its walls (test_tenant_walls.py,
test_across_tenants_upgrade.py): written as the superuser, whom no wall stops."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.migrate import UNWALLED
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

A, B = uuid4(), uuid4()

TENANT_TABLES = text("""
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           array(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid ORDER BY 1)
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE c.relnamespace = to_regnamespace(:s) AND c.relkind IN ('r', 'p') ORDER BY 1
""")
_COLUMNS = text("""
    SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull AND NOT a.atthasdef AND a.attidentity = ''
    FROM pg_attribute a WHERE a.attrelid = to_regclass(:t) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
""")


async def seed_two_tenants(admin: AsyncEngine) -> list[str]:
    """As the superuser (no wall): one row of tenant A and one of B in every tenant table that a row of made-up
    values fits (foreign keys and checks refuse some); the tables seeded."""
    seeded = []
    async with admin.begin() as connection:
        names = (
            await connection.execute(TENANT_TABLES, {"s": await connection.scalar(text("SELECT current_schema()"))})
        ).all()
        for table in [row[0] for row in names if row[0] not in UNWALLED]:
            try:
                async with connection.begin_nested():
                    for tenant in (A, B):
                        await insert_row(connection, table, tenant)
                seeded.append(table)
            except DBAPIError:
                continue
    return seeded


async def insert_row(connection: AsyncConnection, table: str, tenant: UUID) -> None:
    """A row of `tenant` with made-up values in every column that needs one."""
    columns = [
        (name, kind)
        for name, kind, needed in (await connection.execute(_COLUMNS, {"t": table})).all()
        if needed or name == "tenant_id"
    ]
    values = {name: _made_up(kind, tenant if name == "tenant_id" else None) for name, kind in columns}
    listed = ", ".join(f'"{name}"' for name, _ in columns)
    marks = ", ".join(f"CAST(CAST(:{name} AS text) AS {kind})" for name, kind in columns)
    await connection.execute(text(f'INSERT INTO "{table}" ({listed}) VALUES ({marks})'), values)


def _made_up(kind: str, tenant: UUID | None) -> Any:
    if tenant is not None or kind == "uuid":
        return str(tenant or uuid4())
    if kind.startswith(("character", "text")):
        return "x"
    if kind in ("integer", "bigint", "smallint"):
        return "1"
    if kind.startswith("numeric"):
        return str(Decimal("1.00"))
    if kind == "boolean":
        return "false"
    if kind == "date":
        return date(2025, 1, 2).isoformat()
    if kind.startswith("timestamp"):
        return datetime(2025, 1, 2, tzinfo=UTC).isoformat()
    if kind in ("jsonb", "json"):
        return "{}"
    if kind.endswith("[]"):
        return "{}"
    return "x"
