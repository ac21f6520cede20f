"""What the services hold of some tenants, whole: every row of every table with a tenant column in the services'
schemas, as a count and a digest per table, read as the installation (its own schemas, no wall). Two snapshots
equal: nothing was written, updated or deleted for those tenants in between."""

import asyncio
import time
from collections import Counter
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys

SCHEMAS = (
    "charge_capture",
    "claim_submission",
    "eligibility",
    "prior_authorization",
    "remittance_posting",
    "denial_management",
    "projection",
)
Snapshot = dict[str, tuple[int, str]]  # schema.table -> (rows, digest)


async def connect(database_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))


async def snapshot(database_url: str, tenants: list[UUID], *, leaving_out: frozenset[str] = frozenset()) -> Snapshot:
    connection = await connect(database_url)
    try:
        tables = await connection.fetch(
            "SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'tenant_id'"
            " AND table_schema = ANY($1) ORDER BY 1, 2",
            list(SCHEMAS),
        )
        found: Snapshot = {}
        for row in tables:
            name = f"{row['table_schema']}.{row['table_name']}"
            if name in leaving_out:
                continue
            found[name] = tuple(
                await connection.fetchrow(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), ''))"  # noqa: S608
                    f' FROM "{row["table_schema"]}"."{row["table_name"]}" t WHERE tenant_id = ANY($1)',
                    tenants,
                )
            )
        return found
    finally:
        await connection.close()


async def steady(database_url: str, tenants: list[UUID], *, within: float = 30, **options: Any) -> Snapshot:
    """The tenants' rows once two snapshots 2.5 s apart agree (bounded: the last one taken): longer than a hop's
    rest after a batch (a second for the projection and denial management, docs/platform.md, Inbox)."""
    deadline, last = time.monotonic() + within, await snapshot(database_url, tenants, **options)
    while time.monotonic() < deadline:
        await asyncio.sleep(2.5)
        now = await snapshot(database_url, tenants, **options)
        if now == last:
            return now
        last = now
    return last


def changed(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ: their counts before and after."""
    return {
        name: (before.get(name, (0, ""))[0], rows)
        for name, (rows, digest) in after.items()
        if before.get(name) != (rows, digest)
    }


async def published(database_url: str, schema: str, tenants: list[UUID]) -> Counter[str]:
    """The events a service published for the tenants (its outbox rows), by type."""
    connection = await connect(database_url)
    try:
        rows = await connection.fetch(
            f"SELECT event_type, count(*) FROM {schema}.outbox WHERE tenant_id = ANY($1) GROUP BY 1",  # noqa: S608
            tenants,
        )
        return Counter({row["event_type"]: row["count"] for row in rows})
    finally:
        await connection.close()


async def money_check(services: Services, keys: Keys, tenant: UUID) -> dict[str, Decimal]:
    """The tenant's money checksum as the projection answers it (docs/money.md): both sides and the difference."""
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as projection:
        return money_of((await projection.get("/v1/ledger/check")).json())


def money_of(checked: dict[str, Any]) -> dict[str, Decimal]:
    """The sides of a money checksum the projection answered, and its encounters."""
    sides = ("charged", "paid", "adjusted", "written_off", "patient", "insurance", "difference", "encounters")
    return {side: Decimal(checked[side]) for side in sides}
