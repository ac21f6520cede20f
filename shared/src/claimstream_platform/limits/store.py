"""The shared counters and the per-tenant overrides, in the `limits` schema every service reaches.

Its own Alembic tree (`limits/migrations`), applied wherever the platform's tenant tree is (the local stack, the
test fixtures, `claimstream admin`); each service's app role is granted what its limiter needs (`grant_statements`).
"""

from pathlib import Path
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, delete, func, select
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from claimstream_platform.access import RateClass
from claimstream_platform.db import NAMING_CONVENTION
from claimstream_platform.limits.budgets import Budget

SCHEMA = "limits"
MIGRATIONS = Path(__file__).parent / "migrations"

metadata = MetaData(naming_convention=NAMING_CONVENTION, schema=SCHEMA)
windows = Table(
    "windows",
    metadata,
    Column("bucket", String(400), primary_key=True),  # service|who|rate class: ids and subjects, never PHI
    Column("window_start", BigInteger, primary_key=True),  # epoch seconds
    Column("used", BigInteger, nullable=False),  # permits leased; may pass the budget (leases then get none)
    Index("ix_windows_window_start", "window_start"),
)
overrides = Table(
    "overrides",
    metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("rate_class", String(20), primary_key=True),
    Column("tenant_budget", Integer, nullable=False),
    Column("client_budget", Integer, nullable=False),
    Column("window_seconds", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

Overrides = dict[tuple[UUID, RateClass], Budget]


def grant_statements(role: str) -> list[str]:
    """What a service's app role is given here (its API's limiter counts in `windows` and reads `overrides`), by
    `claimstream_platform.database_roles` as it makes the role, or by this tree's migration for the roles made
    before it. No one else is: the counters name tenants and token subjects, and only an operator sets budgets."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"not a plain PostgreSQL name: {role!r}")
    return [
        f'GRANT USAGE ON SCHEMA {SCHEMA} TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON {SCHEMA}.{windows.name} TO "{role}"',
        f'GRANT SELECT ON {SCHEMA}.{overrides.name} TO "{role}"',
    ]


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def lease(self, bucket: str, window_start: int, block: int) -> int:
        """Add `block` to the bucket's counter for the window, in one statement; the counter after it."""
        statement = (
            insert(windows)
            .values(bucket=bucket, window_start=window_start, used=block)
            .on_conflict_do_update(index_elements=["bucket", "window_start"], set_={"used": windows.c.used + block})
            .returning(windows.c.used)
        )
        async with self.engine.begin() as connection:
            used: int = (await connection.execute(statement)).scalar_one()
        return used

    async def overrides(self) -> Overrides:
        async with self.engine.connect() as connection:
            rows = (await connection.execute(select(overrides))).all()
        return {
            (row.tenant_id, RateClass(row.rate_class)): Budget(row.tenant_budget, row.client_budget, row.window_seconds)
            for row in rows
        }

    async def prune(self, before: int) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(delete(windows).where(windows.c.window_start < before))


async def set_override(engine: AsyncEngine, tenant_id: UUID, rate: RateClass, budget: Budget) -> None:
    """An operator's budget for one tenant and route class (`claimstream admin rate-limit`)."""
    values = {
        "tenant_budget": budget.tenant,
        "client_budget": budget.client,
        "window_seconds": budget.window_seconds,
        "updated_at": func.now(),
    }
    statement = insert(overrides).values(tenant_id=tenant_id, rate_class=str(rate), **values)
    async with engine.begin() as connection:
        await connection.execute(
            statement.on_conflict_do_update(index_elements=["tenant_id", "rate_class"], set_=values)
        )


async def clear_override(engine: AsyncEngine, tenant_id: UUID, rate: RateClass | None) -> None:
    """Back to the defaults: one route class, or every class when `rate` is None."""
    where = [overrides.c.tenant_id == tenant_id]
    if rate is not None:
        where.append(overrides.c.rate_class == str(rate))
    async with engine.begin() as connection:
        await connection.execute(delete(overrides).where(*where))
