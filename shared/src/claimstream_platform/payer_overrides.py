"""A practice's overrides of our payer facts, as each service that reads those facts keeps them.

Charge capture's set-up API owns the overrides and publishes `PayerFactsOverridden`; claim submission, denial
management and prior authorization each keep the latest per practice, payer and start in their own schema, and
pass them to `claimstream_platform.payers.payer_facts(..., overrides=...)`. The table and its queries are the same
for every one of them, so they are written once, here (as `approvals` is); each service creates the table in its
own migrations (`create_table`) and reaches the repository from its unit of work.
"""

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import Column, Date, MetaData, String, Table, delete
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.engine import Connection

from claimstream_platform.contracts.charge_capture import PayerFactsOverridden
from claimstream_platform.db import Repository
from claimstream_platform.many_rows import rows_in
from claimstream_platform.payers import Layer, override

PracticePayer = tuple[UUID, UUID, str]  # tenant, practice, payer

overrides_metadata = MetaData()
payer_fact_overrides = Table(
    "payer_fact_overrides",
    overrides_metadata,
    Column("tenant_id", PgUUID(as_uuid=True), primary_key=True),
    Column("practice_id", PgUUID(as_uuid=True), primary_key=True),
    Column("payer_id", String(80), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("effective_to", Date),
    Column("facts", JSONB, nullable=False),
)


class PayerOverrides(Repository):
    table = payer_fact_overrides

    async def record(self, event: PayerFactsOverridden) -> None:
        """The latest override for its practice, payer and start replaces the one before; no facts withdraws it."""
        if event.practice_id is None:
            return
        key = {
            "tenant_id": event.tenant_id,
            "practice_id": event.practice_id,
            "payer_id": event.payer_id[:80],
            "effective_from": event.effective_from,
        }
        if not event.facts:
            await self.session.execute(delete(self.table).where(*(self.table.c[k] == v for k, v in key.items())))
            return
        row = key | {"effective_to": event.effective_to, "facts": event.facts}
        upsert = insert(self.table).values(row)
        changed = {"effective_to": upsert.excluded.effective_to, "facts": upsert.excluded.facts}
        await self.session.execute(upsert.on_conflict_do_update(index_elements=list(key), set_=changed))

    async def of(self, keys: Iterable[PracticePayer]) -> dict[PracticePayer, tuple[Layer, ...]]:
        """Each practice's overrides of each payer, oldest start first (none: no entry)."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        c = self.table.c
        query = self.table.select().where(rows_in((c.tenant_id, c.practice_id, c.payer_id), wanted))
        found: dict[PracticePayer, list[Layer]] = defaultdict(list)
        for r in await self.session.execute(query.order_by(c.effective_from)):
            found[(r.tenant_id, r.practice_id, r.payer_id)].append(override(r.effective_from, r.effective_to, r.facts))
        return {key: tuple(layers) for key, layers in found.items()}


def create_table(connection: Connection) -> None:
    """For a service's migration: the table, in its schema."""
    overrides_metadata.create_all(connection, checkfirst=True)
