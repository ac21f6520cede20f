"""The rebuild's SQL: a fresh schema beside the live one, per-tenant totals to compare the two, and the swap.

The swap copies the fresh tables over the live ones in one transaction. Readers keep reading the old rows until
it commits (MVCC), and the live consumer's writes wait for it on the table locks, then fold on the new facts.

Module functions over engines, not a repository of the unit of work: each works on a schema named by the caller
(the fresh one beside the live one: made, dropped, compared, copied across), with its own connection and DDL,
where a unit of work is one transaction on its service's own schema."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from projection.tables import claims, denial_cases, facts, ledger, stream_counts

TABLES = [facts.name, claims.name, ledger.name, denial_cases.name, stream_counts.name]


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on one schema's engine, for the replay's consumer."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a schema name: {name!r}")
    return f'"{name}"'


async def drop_schema(engine: AsyncEngine, schema: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE"))


async def make_scratch(engine: AsyncEngine, schema: str, reader: str | None = None) -> None:
    """The fresh schema as the replay's scratch space. Nothing reads it but `totals` and the swap, which copies its
    rows into the live tables (whose own indexes and WAL are kept there), and a rebuild that fails drops it and
    starts again. So its tables are unlogged (no WAL for rows written once and copied once) and keep only their
    unique indexes: the others would be maintained for every row and never read. No wall divides them: only the
    owner writes them and only `reader` (the live schema's across-tenants role, which sees every tenant's rows
    there anyway) reads them."""
    s = _quoted(schema)
    async with engine.begin() as connection:
        tables = await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema})
        for (table,) in tables.all():
            await connection.execute(text(f'ALTER TABLE {s}."{table}" SET UNLOGGED'))
            await connection.execute(text(f'ALTER TABLE {s}."{table}" DISABLE ROW LEVEL SECURITY'))
        if reader is not None:
            await connection.execute(text(f"GRANT USAGE ON SCHEMA {s} TO {_quoted(reader)}"))
            await connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {_quoted(reader)}"))
        indexes = await connection.execute(_SECONDARY_INDEXES, {"s": schema})
        for (index,) in indexes.all():
            await connection.execute(text(f'DROP INDEX {s}."{index}"'))


_SECONDARY_INDEXES = text("""
    SELECT i.relname FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
    WHERE n.nspname = :s AND NOT x.indisunique
""")


async def role_of(engine: AsyncEngine) -> str:
    """The role `engine` connects as."""
    async with engine.connect() as connection:
        return str(await connection.scalar(text("SELECT current_user")))


async def totals(engine: AsyncEngine, schema: str) -> dict[str, tuple[Any, ...]]:
    """Per tenant: claims, facts, ledger entries, denial cases, and the money: charged, paid, outstanding."""
    s = _quoted(schema)
    query = f"""
        SELECT t.tenant_id::text AS tenant, coalesce(c.claims, 0), coalesce(f.facts, 0), coalesce(l.entries, 0),
               coalesce(d.cases, 0), coalesce(c.charged, 0), coalesce(c.paid, 0), coalesce(c.outstanding, 0)
        FROM (SELECT DISTINCT tenant_id FROM {s}.facts) t
        LEFT JOIN (SELECT tenant_id, count(*) AS claims, sum(charged) AS charged, sum(paid) AS paid,
                          sum(insurance_balance + patient_balance) AS outstanding
                   FROM {s}.claims GROUP BY tenant_id) c USING (tenant_id)
        LEFT JOIN (SELECT tenant_id, count(*) AS facts FROM {s}.facts GROUP BY tenant_id) f USING (tenant_id)
        LEFT JOIN (SELECT tenant_id, count(*) AS entries FROM {s}.ledger GROUP BY tenant_id) l USING (tenant_id)
        LEFT JOIN (SELECT tenant_id, count(*) AS cases FROM {s}.denial_cases GROUP BY tenant_id) d USING (tenant_id)
    """  # the schema name is ours, checked by _quoted
    async with engine.connect() as connection:
        rows: Sequence[Any] = (await connection.execute(text(query))).all()
    return {row[0]: tuple(row[1:]) for row in rows}


async def swap_in(engine: AsyncEngine, *, live: str, fresh: str, consumer: str) -> None:
    """The fresh read model and its inbox over the live ones, in one transaction."""
    target, source = _quoted(live), _quoted(fresh)
    async with engine.begin() as connection:
        names = ", ".join(f"{target}.{table}" for table in [*TABLES, "inbox"])
        await connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
        for table in TABLES:
            await connection.execute(text(f"DELETE FROM {target}.{table}"))
            await connection.execute(text(f"INSERT INTO {target}.{table} SELECT * FROM {source}.{table}"))
        await connection.execute(text(f"DELETE FROM {target}.inbox WHERE consumer = :consumer"), {"consumer": consumer})
        await connection.execute(
            text(f"INSERT INTO {target}.inbox SELECT * FROM {source}.inbox WHERE consumer = :consumer"),
            {"consumer": consumer},
        )
