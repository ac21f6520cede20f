"""Documents received (`inbound`: 999s and 277CAs), `uow.documents`: stored once per source, applied, quarantined
or discarded. They are the installation's, not a tenant's (one 277CA can carry claims of many tenants)."""

from typing import Any

from claimstream_platform.db import Repository
from sqlalchemy import func, select, update
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

    async def lock_pending(self, document_id: int) -> Row[Any] | None:
        query = select(inbound).where(inbound.c.id == document_id, inbound.c.status == "pending")
        return (await self.session.execute(query.with_for_update(skip_locked=True))).one_or_none()

    async def applied(self, document_id: int) -> None:
        await self.session.execute(
            update(inbound).where(inbound.c.id == document_id).values(status="applied", applied_at=func.now())
        )

    async def quarantine(self, document_id: int, reason: str) -> None:
        await self.session.execute(
            update(inbound).where(inbound.c.id == document_id).values(status="quarantined", reason=reason[:300])
        )

    async def settle_quarantined(self, document_id: int, status: str) -> bool:
        """An operator's retry (pending again) or discard of a quarantined document; False when there is none."""
        changed = await self.session.scalar(
            update(inbound)
            .where(inbound.c.id == document_id, inbound.c.status == "quarantined")
            .values(status=status, reason=None if status == "pending" else inbound.c.reason)
            .returning(inbound.c.id)
        )
        return changed is not None

    async def page(self, status: str, limit: int) -> list[Row[Any]]:
        query = select(inbound).where(inbound.c.status == status).order_by(inbound.c.id.desc()).limit(limit)
        return list((await self.session.execute(query)).all())
