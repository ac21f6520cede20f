"""Documents received (`inbound`: 999s and 277CAs): stored once per source, applied, quarantined or discarded."""

from typing import Any

from claimstream_platform.db import UnitOfWork
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from claim_submission.tables import inbound


async def store(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """A document collected twice (the same source) is stored once."""
    if rows:
        await uow.session.execute(insert(inbound).values(rows).on_conflict_do_nothing(index_elements=["source"]))


async def pending(uow: UnitOfWork, limit: int) -> list[int]:
    query = select(inbound.c.id).where(inbound.c.status == "pending").order_by(inbound.c.id).limit(limit)
    return list(await uow.session.scalars(query))


async def lock_pending(uow: UnitOfWork, document_id: int) -> Row[Any] | None:
    query = select(inbound).where(inbound.c.id == document_id, inbound.c.status == "pending")
    return (await uow.session.execute(query.with_for_update(skip_locked=True))).one_or_none()


async def applied(uow: UnitOfWork, document_id: int) -> None:
    await uow.session.execute(
        update(inbound).where(inbound.c.id == document_id).values(status="applied", applied_at=func.now())
    )


async def quarantine(uow: UnitOfWork, document_id: int, reason: str) -> None:
    await uow.session.execute(
        update(inbound).where(inbound.c.id == document_id).values(status="quarantined", reason=reason[:300])
    )


async def settle_quarantined(uow: UnitOfWork, document_id: int, status: str) -> bool:
    """An operator's retry (pending again) or discard of a quarantined document; False when there is none."""
    changed = await uow.session.scalar(
        update(inbound)
        .where(inbound.c.id == document_id, inbound.c.status == "quarantined")
        .values(status=status, reason=None if status == "pending" else inbound.c.reason)
        .returning(inbound.c.id)
    )
    return changed is not None


async def page(uow: UnitOfWork, status: str, limit: int) -> list[Row[Any]]:
    query = select(inbound).where(inbound.c.status == status).order_by(inbound.c.id.desc()).limit(limit)
    return list((await uow.session.execute(query)).all())
