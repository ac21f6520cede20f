"""Interchanges (`submissions`): numbered, stored with their exact text, leased while sent, settled."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from sqlalchemy import func, select, update
from sqlalchemy.engine import Row

from claim_submission.tables import claims, interchange_numbers, submissions

_DUE = (submissions.c.status == "pending") & (
    submissions.c.not_before.is_(None) | (submissions.c.not_before <= func.now())
)


async def create(uow: UnitOfWork, tenant_id: UUID, payer_id: str, write: Any) -> int:
    """A new pending interchange: numbered from the sequence, its text written by `write(number)`."""
    number = int(await uow.session.scalar(select(interchange_numbers.next_value())) or 0)
    await uow.session.execute(
        submissions.insert().values(
            interchange_number=number, tenant_id=tenant_id, payer_id=payer_id, status="pending", content=write(number)
        )
    )
    return number


async def due(uow: UnitOfWork) -> list[int]:
    query = select(submissions.c.interchange_number).where(_DUE).order_by(submissions.c.interchange_number)
    return list(await uow.session.scalars(query))


async def take(uow: UnitOfWork, number: int, lease: timedelta) -> str | None:
    """Lease a due interchange for one send; its content, or None when it is not due or taken."""
    content = await uow.session.scalar(
        update(submissions)
        .where(submissions.c.interchange_number == number, _DUE)
        .values(not_before=func.now() + lease, attempts=submissions.c.attempts + 1)
        .returning(submissions.c.content)
    )
    return str(content) if content is not None else None


async def attempts(uow: UnitOfWork, number: int) -> int:
    query = select(submissions.c.attempts).where(submissions.c.interchange_number == number)
    return int(await uow.session.scalar(query) or 1)


async def wait_until(uow: UnitOfWork, number: int, not_before: datetime) -> None:
    await uow.session.execute(
        update(submissions)
        .where(submissions.c.interchange_number == number, submissions.c.status == "pending")
        .values(not_before=not_before)
    )


async def set_status(uow: UnitOfWork, number: int, status: str, **values: Any) -> None:
    """Settle the interchange: sent (with its 999s and time), quarantined or refused (with the reason)."""
    await uow.session.execute(
        update(submissions).where(submissions.c.interchange_number == number).values(status=status, **values)
    )


async def page(uow: UnitOfWork, tenant_id: UUID, status: str | None, limit: int) -> list[Row[Any]]:
    """The tenant's interchanges, newest first, with how many claims each carried."""
    count = select(func.count()).where(claims.c.interchange_number == submissions.c.interchange_number)
    query = select(submissions, count.scalar_subquery().label("claims")).where(submissions.c.tenant_id == tenant_id)
    if status is not None:
        query = query.where(submissions.c.status == status)
    return list((await uow.session.execute(query.order_by(submissions.c.interchange_number.desc()).limit(limit))).all())


async def lock(uow: UnitOfWork, tenant_id: UUID, number: int) -> Row[Any] | None:
    query = select(submissions).where(submissions.c.interchange_number == number, submissions.c.tenant_id == tenant_id)
    return (await uow.session.execute(query.with_for_update())).one_or_none()


async def claim_count(uow: UnitOfWork, number: int) -> int:
    return int(await uow.session.scalar(select(func.count()).where(claims.c.interchange_number == number)) or 0)
