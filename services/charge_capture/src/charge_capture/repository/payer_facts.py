"""A practice's own facts for its payers (`uow.payer_facts`), stored and read as `PayerFactsOverride` aggregates.
Reads name the tenant; the filter is written once, in `mine`."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from charge_capture.domain import PayerFactsOverride
from charge_capture.tables import payer_fact_overrides

_KEY = ("tenant_id", "practice_id", "payer_id", "effective_from")


class PayerFactOverrides(Repository):
    table = payer_fact_overrides

    def _of(self, tenant_id: UUID, practice_id: UUID, payer_id: str) -> ColumnElement[bool]:
        c = self.table.c
        return and_(self.mine(tenant_id), c.practice_id == practice_id, c.payer_id == payer_id)

    async def page(
        self, tenant_id: UUID, practice_id: UUID, payer_id: str, page: OrderedPageRequest
    ) -> tuple[list[PayerFactsOverride], str | None]:
        """A page of the practice's overrides of the payer, the earliest start first."""
        query = select(self.table).where(self._of(tenant_id, practice_id, payer_id))
        order = [self.table.c.effective_from]
        rows, next_cursor = await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor)
        return [_override(row) for row in rows], next_cursor

    async def locked(self, tenant_id: UUID, practice_id: UUID, payer_id: str, start: date) -> PayerFactsOverride:
        """The override from `start`, locked for a change; one with no facts when there is none."""
        query = select(self.table).where(
            self._of(tenant_id, practice_id, payer_id), self.table.c.effective_from == start
        )
        row = (await self.session.execute(query.with_for_update())).one_or_none()
        return _override(row) if row is not None else PayerFactsOverride(tenant_id, practice_id, payer_id, start)

    async def store(self, override: PayerFactsOverride) -> None:
        """Its facts from its start, replacing what was there; no facts: deleted (withdrawn)."""
        key = {name: getattr(override, name) for name in _KEY}
        if not override.facts:
            await self.session.execute(delete(self.table).where(*(self.table.c[k] == v for k, v in key.items())))
            return
        changed = {"effective_to": override.effective_to, "facts": override.facts, "updated_at": datetime.now(UTC)}
        upsert = insert(self.table).values(**key, **changed)
        await self.session.execute(upsert.on_conflict_do_update(index_elements=list(_KEY), set_=changed))


def _override(row: Row[Any]) -> PayerFactsOverride:
    return PayerFactsOverride(
        tenant_id=row.tenant_id,
        practice_id=row.practice_id,
        payer_id=row.payer_id,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        facts=dict(row.facts),
    )
