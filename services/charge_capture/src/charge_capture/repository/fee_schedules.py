"""A payer's fee schedules (`uow.fee_schedules`): versions from a date, each with its entries (code, modifiers,
amount), written whole and read a page at a time. Callers check the payer is the tenant's first
(`uow.reference.payer_or_none`); reads name the tenant too, its filter written once (`mine`)."""

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from claimstream_platform.db import Repository
from claimstream_platform.paging import EMBEDDED, OrderedPageRequest, cursor_of, ordered_page
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from charge_capture.repository.reference import modifiers_key
from charge_capture.tables import fee_schedule_entries, fee_schedules

FeeRow = tuple[str, Sequence[str], Any]  # code, modifiers, amount
# Versions newest effective date first (the newest made first among those of one date); entries by code.
VERSIONS = [fee_schedules.c.effective_from, fee_schedules.c.created_at, fee_schedules.c.id]
ENTRIES = [fee_schedule_entries.c.code, fee_schedule_entries.c.modifiers]


class FeeSchedules(Repository):
    table = fee_schedules

    async def add(self, tenant_id: UUID, payer_ref: UUID, effective_from: date, entries: Sequence[FeeRow]) -> Row[Any]:
        """A new version with its (code, modifiers, amount) entries (the caller bumps the payer's revision)."""
        created = await self.session.execute(
            insert(fee_schedules)
            .values(id=uuid4(), tenant_id=tenant_id, payer_ref=payer_ref, effective_from=effective_from)
            .returning(fee_schedules)
        )
        version: Row[Any] = created.one()
        await self.session.execute(
            insert(fee_schedule_entries),
            [
                {"schedule_id": version.id, "code": code, "modifiers": modifiers_key(modifiers), "amount": amount}
                for code, modifiers, amount in entries
            ],
        )
        return version

    async def versions(
        self, tenant_id: UUID, payer_ref: UUID, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the payer's versions, newest effective date first."""
        query = select(fee_schedules).where(self.mine(tenant_id), fee_schedules.c.payer_ref == payer_ref)
        return await ordered_page(
            self.session, query, VERSIONS, limit=page.limit, cursor=page.cursor, newest_first=True
        )

    async def first_entries(self, version_ids: Sequence[UUID]) -> dict[UUID, tuple[list[Row[Any]], str | None]]:
        """Each version's first page of entries (EMBEDDED), and the cursor of its next page: one query for all."""
        rank = func.row_number().over(partition_by=fee_schedule_entries.c.schedule_id, order_by=ENTRIES)
        ranked = select(fee_schedule_entries, rank.label("rank")).where(
            fee_schedule_entries.c.schedule_id.in_(list(version_ids))
        )
        inner = ranked.subquery()
        query = select(inner).where(inner.c.rank <= EMBEDDED + 1).order_by(inner.c.schedule_id, inner.c.rank)
        found: dict[UUID, list[Row[Any]]] = {version_id: [] for version_id in version_ids}
        for row in await self.session.execute(query):
            found[row.schedule_id].append(row)
        return {version_id: _first_page(rows) for version_id, rows in found.items()}

    async def entries(
        self, tenant_id: UUID, payer_ref: UUID, version_id: UUID, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None] | None:
        """A page of one version's entries by code; None when it is no version of this payer of the tenant's."""
        version = select(fee_schedules.c.id).where(
            self.mine(tenant_id), fee_schedules.c.payer_ref == payer_ref, fee_schedules.c.id == version_id
        )
        if await self.session.scalar(version) is None:
            return None
        query = select(fee_schedule_entries).where(fee_schedule_entries.c.schedule_id == version_id)
        return await ordered_page(self.session, query, ENTRIES, limit=page.limit, cursor=page.cursor)

    async def newest_if_same(
        self, payer_ref: UUID, effective_from: date, entries: set[tuple[str, str, Any]]
    ) -> Row[Any] | None:
        """The newest version for `effective_from` when its entries (code, modifiers key, amount) are exactly these:
        a PUT repeated with the same body is then answered with it, and adds no version."""
        newest = (
            await self.session.execute(
                select(fee_schedules)
                .where(fee_schedules.c.payer_ref == payer_ref, fee_schedules.c.effective_from == effective_from)
                .order_by(fee_schedules.c.created_at.desc())
                .limit(1)
            )
        ).one_or_none()
        if newest is None:
            return None
        stored = await self.session.execute(
            select(fee_schedule_entries.c.code, fee_schedule_entries.c.modifiers, fee_schedule_entries.c.amount).where(
                fee_schedule_entries.c.schedule_id == newest.id
            )
        )
        return newest if {(code, modifiers, amount) for code, modifiers, amount in stored} == entries else None


def _first_page(rows: list[Row[Any]]) -> tuple[list[Row[Any]], str | None]:
    page = rows[:EMBEDDED]
    return page, (cursor_of([page[-1].code, page[-1].modifiers]) if len(rows) > EMBEDDED else None)
