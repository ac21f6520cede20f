"""What each captured charge used of an authorization: one row per authorization and encounter version."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from prior_authorization.tables import consumptions

c = consumptions.c


async def record(uow: UnitOfWork, authorization_id: UUID, tenant_id: UUID, encounter_id: UUID, version: int,
                 day: date, used: int) -> bool:  # fmt: skip
    """False when this encounter version was counted already (a redelivered charge)."""
    statement = insert(consumptions).values(
        authorization_id=authorization_id,
        tenant_id=tenant_id,
        encounter_id=encounter_id,
        version=version,
        service_date=day,
        used=used,
    )
    inserted = await uow.session.execute(statement.on_conflict_do_nothing().returning(c.authorization_id))
    return inserted.first() is not None


async def standing(uow: UnitOfWork, tenant_id: UUID, encounter_id: UUID, version: int) -> list[Any]:
    """What that encounter version used and has not given back, locked."""
    query = select(consumptions).where(c.tenant_id == tenant_id, c.encounter_id == encounter_id,
                                       c.version == version, c.returned_at.is_(None))  # fmt: skip
    return list(await uow.session.execute(query.order_by(c.authorization_id).with_for_update()))


async def returned(uow: UnitOfWork, rows: list[Any]) -> None:
    for row in rows:
        await uow.session.execute(update(consumptions).where(
            c.authorization_id == row.authorization_id, c.encounter_id == row.encounter_id,
            c.version == row.version).values(returned_at=datetime.now(UTC)))  # fmt: skip


async def history(uow: UnitOfWork, authorization_id: UUID) -> list[Any]:
    query = select(consumptions).where(c.authorization_id == authorization_id).order_by(c.consumed_at, c.encounter_id)
    return list(await uow.session.execute(query))
