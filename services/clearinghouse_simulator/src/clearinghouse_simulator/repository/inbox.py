"""The API's documents and member roster, each scoped to the submitter (the token's tenant)."""

from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from clearinghouse_simulator.tables import claims, documents, members


async def waiting(uow: UnitOfWork, submitter: UUID, kind: str | None, limit: int) -> list[Row[Any]]:
    """Documents not yet acknowledged, oldest first."""
    query = select(documents).where(documents.c.submitter == submitter, documents.c.acknowledged_at.is_(None))
    if kind:
        query = query.where(documents.c.kind == kind)
    return list((await uow.session.execute(query.order_by(documents.c.id).limit(limit))).all())


async def acknowledge(uow: UnitOfWork, submitter: UUID, document_id: int) -> bool:
    """Out of the inbox (repeatable); False when the submitter has no such document."""
    found = await uow.session.scalar(
        update(documents)
        .where(documents.c.id == document_id, documents.c.submitter == submitter)
        .values(acknowledged_at=func.coalesce(documents.c.acknowledged_at, func.now()))
        .returning(documents.c.id)
    )
    return found is not None


async def enroll(uow: UnitOfWork, submitter: UUID, payer_id: str, values: dict[str, Any]) -> Row[Any]:
    """Enroll or update a member."""
    stored: Row[Any] = (
        await uow.session.execute(
            insert(members)
            .values(submitter=submitter, payer_id=payer_id, **values)
            .on_conflict_do_update(index_elements=["submitter", "payer_id", "member_id"], set_=values)
            .returning(members)
        )
    ).one()
    return stored


async def member(uow: UnitOfWork, submitter: UUID, payer_id: str, member_id: str) -> Row[Any] | None:
    query = select(members).where(
        members.c.submitter == submitter, members.c.payer_id == payer_id, members.c.member_id == member_id
    )
    return (await uow.session.execute(query)).one_or_none()


async def claim(uow: UnitOfWork, submitter: UUID, payer_claim_number: str) -> Row[Any] | None:
    query = select(claims).where(claims.c.submitter == submitter, claims.c.payer_claim_number == payer_claim_number)
    return (await uow.session.execute(query)).one_or_none()
