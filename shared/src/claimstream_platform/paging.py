"""List endpoints: the caller's practices and keyset pages, the same way in every service."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query
from sqlalchemy import Select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from claimstream_platform.auth import Principal


def in_scope(
    query: Select[Any], column: ColumnElement[Any], principal: Principal, practice_id: UUID | None
) -> Select[Any]:
    """Only the practice asked for (404 when outside the token), else every practice the token may see."""
    if practice_id is not None:
        principal.require_practice(practice_id)
        return query.where(column == practice_id)
    if principal.practice_ids is not None:
        return query.where(column.in_(list(principal.practice_ids)))
    return query


async def keyset_page(
    session: AsyncSession, query: Select[Any], id_column: ColumnElement[Any], *, limit: int, cursor: UUID | None
) -> tuple[Sequence[Row[Any]], UUID | None]:
    """A page ordered by id after `cursor`, and the cursor of the next page (None on the last one)."""
    if cursor is not None:
        query = query.where(id_column > cursor)
    rows = (await session.execute(query.order_by(id_column).limit(limit + 1))).all()
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)


@dataclass(frozen=True)
class PageRequest:
    """A keyset page asked for: at most `limit` items after `cursor`, the `next_cursor` of the page before."""

    limit: int
    cursor: UUID | None


def page_request(limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: UUID | None = None) -> PageRequest:
    return PageRequest(limit, cursor)


Paging = Annotated[PageRequest, Depends(page_request)]  # a route's `limit` and `cursor` query parameters
