"""The work queue's reads (`uow.queue`): cases, their history and appeals for the API, scoped to the caller's
tenant and the practices its token allows, here once (`_scoped`; the tenant filter is `mine` for cases and
`_appeals_of` for appeals)."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID

from claimstream_platform.auth import Principal
from claimstream_platform.db import Repository
from claimstream_platform.paging import OrderedPageRequest, in_scope, ordered_page
from sqlalchemy import ColumnElement, Date, Select, func, literal, select, tuple_
from sqlalchemy.engine import Row

from denial_management.tables import appeals, case_history, cases


@dataclass(frozen=True)
class QueueFilter:
    practice_id: UUID | None = None
    payer_id: str | None = None
    category: str | None = None
    status: str | None = None
    assignee: str | None = None
    due_before: date | None = None
    claim_id: UUID | None = None


Sort = Literal["priority", "deadline", "amount"]
# A case without a deadline sorts after every dated one when sorted by deadline (a page's sort key is never null).
_DUE = func.coalesce(cases.c.deadline, literal(date(9999, 12, 31), Date)).label("due")


class Queue(Repository):
    table = cases

    def _appeals_of(self, tenant_id: UUID) -> ColumnElement[bool]:
        """The tenant's appeals: the repository's second table, its filter written once too."""
        return appeals.c.tenant_id == tenant_id

    def _scoped(self, principal: Principal, practice_id: UUID | None) -> Select[Any]:
        query = select(cases).where(self.mine(principal.tenant_id))
        return in_scope(query, cases.c.practice_id, principal, practice_id)

    def _filtered(self, principal: Principal, wanted: QueueFilter) -> Select[Any]:
        query = self._scoped(principal, wanted.practice_id)
        for column, value in (
            ("payer_id", wanted.payer_id),
            ("category", wanted.category),
            ("status", wanted.status),
            ("assignee", wanted.assignee),
            ("claim_id", wanted.claim_id),
        ):
            if value is not None:
                query = query.where(cases.c[column] == value)
        if wanted.due_before is not None:
            query = query.where(cases.c.deadline <= wanted.due_before)
        return query

    async def page(
        self, principal: Principal, wanted: QueueFilter, page: OrderedPageRequest, sort: Sort = "priority"
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the queue, the highest priority first, or the nearest deadline, or the most money (then by id,
        so that pages are stable)."""
        query = self._filtered(principal, wanted).add_columns(_DUE)
        first = {"priority": cases.c.priority, "deadline": _DUE, "amount": cases.c.amount}[sort]
        order = [first, cases.c.id]
        newest_first = sort != "deadline"
        return await ordered_page(
            self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=newest_first
        )

    async def chosen(self, principal: Principal, wanted: QueueFilter, limit: int) -> list[Row[Any]]:
        """The working cases the filter finds, in the queue's order, as they stand (id, practice, status, assignee,
        amount): a bulk action's choice. Unlocked: the worker locks each case when it works it, and checks it
        again."""
        columns = (cases.c.id, cases.c.practice_id, cases.c.status, cases.c.assignee, cases.c.amount)
        query = self._filtered(principal, wanted).where(cases.c.status != "resolved").with_only_columns(*columns)
        return list(await self.session.execute(query.order_by(cases.c.priority.desc(), cases.c.id).limit(limit)))

    async def case_in_scope(self, principal: Principal, case_id: UUID) -> Row[Any] | None:
        query = self._scoped(principal, None).where(cases.c.id == case_id)
        found: Row[Any] | None = (await self.session.execute(query)).one_or_none()
        return found

    async def history_of(self, case_id: UUID, page: OrderedPageRequest) -> tuple[list[Row[Any]], str | None]:
        """A page of the case's history (notes too), the latest first (the caller has found the case in its scope:
        its history is reached through it)."""
        query = select(case_history).where(case_history.c.case_id == case_id)
        order = [case_history.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def appeals_of(
        self, principal: Principal, case_id: UUID, page: OrderedPageRequest
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of the case's appeals (without their letters), the latest first."""
        query = select(appeals.c.id, appeals.c.packet, appeals.c.created_at).where(
            appeals.c.case_id == case_id, self._appeals_of(principal.tenant_id)
        )
        order = [appeals.c.created_at, appeals.c.id]
        return await ordered_page(self.session, query, order, limit=page.limit, cursor=page.cursor, newest_first=True)

    async def letter_of(self, principal: Principal, case_id: UUID, appeal_id: UUID) -> bytes | None:
        if await self.case_in_scope(principal, case_id) is None:
            return None
        query = select(appeals.c.letter).where(
            tuple_(appeals.c.id, appeals.c.case_id) == tuple_(appeal_id, case_id),
            self._appeals_of(principal.tenant_id),
        )
        found: bytes | None = await self.session.scalar(query)
        return found
