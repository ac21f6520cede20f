"""What a tenant (or one of its practices) has in every service's schema, as row counts and checksums per table:
taken before and after the walls sweep, they must be equal (test_walls_sweep.py).

Every table with a `tenant_id` column is read (the outbox included: an event is a row there before Kafka); for
a practice, the tables that also have a `practice_id`. A child table without `tenant_id` (a claim's lines) is not
read: its parent's row changes with it in every write path we know of.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

QUIET = 5.0  # seconds without a change before a tenant's rows count as settled

SCHEMAS = (
    "charge_capture",
    "claim_submission",
    "eligibility",
    "prior_authorization",
    "remittance_posting",
    "denial_management",
    "projection",
)
Snapshot = dict[str, tuple[int, str]]  # schema.table -> (rows, checksum of the rows)


@dataclass
class Snapshots:
    connection: asyncpg.Connection
    tables: dict[str, set[str]]  # schema.table -> its columns among tenant_id, practice_id

    @classmethod
    async def open(cls, database_url: str) -> "Snapshots":
        connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        rows = await connection.fetch(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = ANY($1::text[]) AND column_name IN ('tenant_id', 'practice_id')",
            list(SCHEMAS),
        )
        tables: dict[str, set[str]] = {}
        for row in rows:
            tables.setdefault(f'"{row["table_schema"]}"."{row["table_name"]}"', set()).add(row["column_name"])
        return cls(connection, {name: columns for name, columns in tables.items() if "tenant_id" in columns})

    async def of(self, tenant: UUID, practice: UUID | None = None) -> Snapshot:
        """Every table's rows of the tenant (of its practice, when one is named)."""
        parts = []
        for name, columns in sorted(self.tables.items()):
            if practice is not None and "practice_id" not in columns:
                continue
            where = "tenant_id = $1" + (" AND practice_id = $2" if practice is not None else "")
            parts.append(
                f"SELECT '{name}' AS name, count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"AS sum FROM {name} t WHERE {where}"
            )
        arguments: list[Any] = [tenant] if practice is None else [tenant, practice]
        rows = await self.connection.fetch(" UNION ALL ".join(parts), *arguments)
        return {row["name"]: (row["n"], row["sum"]) for row in rows}

    async def settled(self, tenant: UUID, practice: UUID | None = None, timeout: float = 60) -> Snapshot:
        """The rows once nothing has changed them for `QUIET` seconds (the workers have finished with them): longer
        than any pause between two stages of a world's claims (a submission pass, a clearinghouse cycle) on a busy
        machine, or a snapshot taken in such a pause is compared with the rows its later stages wrote."""
        deadline = time.monotonic() + timeout
        last, since = await self.of(tenant, practice), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            now = await self.of(tenant, practice)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= QUIET:
                return now
        raise AssertionError(f"tenant {tenant}'s rows kept changing for {timeout} s: {changed(last, now)}")

    async def close(self) -> None:
        await self.connection.close()


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ, with their counts before and after."""
    return [
        f"{name}: {before.get(name, (0, ''))[0]} -> {after.get(name, (0, ''))[0]} rows"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]
