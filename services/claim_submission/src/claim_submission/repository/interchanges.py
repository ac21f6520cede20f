"""Interchanges (`submissions`), `uow.interchanges`: numbered, stored with their exact text, leased while sent,
settled. The tenant's own are listed and settled through `reached` (the tenant's, and for a token limited to
practices only those whose every claim is of its practices); the loop sends every tenant's."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, ordered_page
from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.engine import Row

from claim_submission.tables import claims, interchange_numbers, submissions

s = submissions.c
_DUE = (s.status == "pending") & (s.not_before.is_(None) | (s.not_before <= func.now()))


class Interchanges(Repository):
    table = submissions

    async def create(self, tenant_id: UUID, payer_id: str, write: Any) -> int:
        """A new pending interchange: numbered from the sequence, its text written by `write(number)`."""
        number = int(await self.session.scalar(select(interchange_numbers.next_value())) or 0)
        await self.session.execute(
            submissions.insert().values(
                interchange_number=number,
                tenant_id=tenant_id,
                payer_id=payer_id,
                status="pending",
                content=write(number),
            )
        )
        return number

    async def due(self) -> list[int]:
        return list(await self.session.scalars(select(s.interchange_number).where(_DUE).order_by(s.interchange_number)))

    async def take(self, number: int, lease: timedelta) -> str | None:
        """Lease a due interchange for one send; its content, or None when it is not due or taken."""
        content = await self.session.scalar(
            update(submissions)
            .where(s.interchange_number == number, _DUE)
            .values(not_before=func.now() + lease, attempts=s.attempts + 1)
            .returning(s.content)
        )
        return str(content) if content is not None else None

    async def attempts(self, number: int) -> int:
        return int(await self.session.scalar(select(s.attempts).where(s.interchange_number == number)) or 1)

    async def wait_until(self, number: int, not_before: datetime) -> None:
        await self.session.execute(
            update(submissions)
            .where(s.interchange_number == number, s.status == "pending")
            .values(not_before=not_before)
        )

    async def set_status(self, number: int, status: str, **values: Any) -> None:
        """Settle the interchange: sent (with its 999s and time), quarantined or refused (with the reason)."""
        await self.session.execute(
            update(submissions).where(s.interchange_number == number).values(status=status, **values)
        )

    def reached(self, tenant_id: UUID, practice_ids: Iterable[UUID] | None) -> list[ColumnElement[bool]]:
        """The tenant's interchanges; with `practice_ids` (a token limited to practices) only those that carry a
        claim of them and none of another practice: an interchange has no practice of its own, and requeueing or
        cancelling one acts on every claim it carries."""
        where = [self.mine(tenant_id)]
        if practice_ids is not None:
            carried = claims.c.interchange_number == s.interchange_number
            allowed = claims.c.practice_id.in_(list(practice_ids))
            where += [exists().where(carried, allowed), ~exists().where(carried, ~allowed)]
        return where

    async def page(
        self, tenant_id: UUID, practice_ids: Iterable[UUID] | None, status: str | None, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the interchanges the caller reaches, newest first, with how many claims each carried."""
        count = select(func.count()).where(claims.c.interchange_number == s.interchange_number)
        query = select(submissions, count.scalar_subquery().label("claims")).where(
            *self.reached(tenant_id, practice_ids)
        )
        if status is not None:
            query = query.where(s.status == status)
        order = [s.interchange_number]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def lock(self, tenant_id: UUID, practice_ids: Iterable[UUID] | None, number: int) -> Row[Any] | None:
        query = select(submissions).where(s.interchange_number == number, *self.reached(tenant_id, practice_ids))
        return (await self.session.execute(query.with_for_update())).one_or_none()

    async def tenant_of(self, number: int) -> UUID:
        """Whose interchange this is (the answers to it, its 999s, are that tenant's)."""
        query = select(s.tenant_id).where(s.interchange_number == number)
        tenant: UUID = (await self.session.execute(query)).scalar_one()
        return tenant

    async def claim_count(self, number: int) -> int:
        return int(await self.session.scalar(select(func.count()).where(claims.c.interchange_number == number)) or 0)

    async def text(self, number: int) -> str | None:
        """The exact text of an interchange as it was stored to be sent."""
        return await self.session.scalar(select(s.content).where(s.interchange_number == number))
