"""Documents received (`inbound`: 999s and 277CAs), `uow.documents`: stored once per source, applied, quarantined
or discarded. A 999 belongs to the tenant of the interchange it answers; a 277CA to none (one can carry claims of
many tenants). A tenant lists and settles its own through `mine`; installation operators, every document,
through the methods that say they cross tenants."""

from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.many_rows import one_of
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from claim_submission.tables import inbound


class Documents(Repository):
    table = inbound

    async def store(self, rows: list[dict[str, Any]]) -> None:
        """A document collected twice (the same source) is stored once."""
        if rows:
            await self.session.execute(insert(inbound).values(rows).on_conflict_do_nothing(index_elements=["source"]))

    async def pending(self, limit: int) -> list[int]:
        query = select(inbound.c.id).where(inbound.c.status == "pending").order_by(inbound.c.id).limit(limit)
        return list(await self.session.scalars(query))

    async def lock_pending(self, limit: int, size: int, document_id: int | None = None) -> list[Row[Any]]:
        """The oldest pending documents no other worker holds (the one named, when one is), in arrival order: at
        most `limit` of them and `size` bytes of content (the first always, however large)."""
        pending = inbound.c.status == "pending"
        oldest = select(inbound.c.id, func.octet_length(inbound.c.content).label("size")).where(pending)
        if document_id is not None:
            oldest = oldest.where(inbound.c.id == document_id)
        listed = oldest.order_by(inbound.c.id).limit(limit).subquery()
        before = func.sum(listed.c.size).over(order_by=listed.c.id) - listed.c.size
        running = select(listed.c.id, listed.c.size, before.label("before")).subquery()
        fits = select(running.c.id).where(or_(running.c.before == 0, running.c.before + running.c.size <= size))
        query = select(inbound).where(inbound.c.id.in_(fits), pending).order_by(inbound.c.id)
        return list(await self.session.execute(query.with_for_update(skip_locked=True)))

    async def applied(self, document_ids: list[int]) -> None:
        if document_ids:
            query = update(inbound).where(one_of(inbound.c.id, document_ids))
            await self.session.execute(query.values(status="applied", applied_at=func.now()))

    async def quarantine(self, document_id: int, reason: str) -> None:
        await self.session.execute(
            update(inbound).where(inbound.c.id == document_id).values(status="quarantined", reason=reason[:300])
        )

    async def settle_quarantined(self, tenant_id: UUID, document_id: int, status: str) -> bool:
        """A tenant's retry (pending again) or discard of its own quarantined document; False when there is none."""
        return await self._settled(document_id, status, self.mine(tenant_id)) is not None

    async def settle_quarantined_across_tenants(self, document_id: int, status: str) -> Row[Any] | None:
        """An installation operator's retry or discard of any quarantined document, a tenant's or no tenant's: the
        document settled (its `tenant_id`, for the access log), or None when there is none."""
        return await self._settled(document_id, status)

    async def page(self, tenant_id: UUID, status: str, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of the tenant's documents with this status, newest first."""
        return await self._page(status, page, self.mine(tenant_id))

    async def page_across_tenants(self, status: str, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of every tenant's documents with this status, and those of no tenant: an installation operator's
        view."""
        return await self._page(status, page)

    async def _settled(self, document_id: int, status: str, *whose: ColumnElement[bool]) -> Row[Any] | None:
        changed = await self.session.execute(
            update(inbound)
            .where(inbound.c.id == document_id, inbound.c.status == "quarantined", *whose)
            .values(status=status, reason=None if status == "pending" else inbound.c.reason)
            .returning(inbound.c.id, inbound.c.tenant_id)
        )
        return changed.first()

    async def _page(
        self, status: str, page: OrderedPageRequest, *whose: ColumnElement[bool]
    ) -> tuple[list[Row[Any]], str | None]:
        query = select(inbound).where(inbound.c.status == status, *whose)
        order = [inbound.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)
