"""List endpoints: the caller's practices and keyset pages, the same way in every service.

Every list answers a page: at most `limit` items (1 to MAX_PAGE, 50 unless asked; more is a 422 naming `limit`)
and `next_cursor`, which asks for the next page (None on the last). A list in id order pages with `keyset_page`
(its cursor is the last id); a list in any other order (newest first, by date, by deadline) with `ordered_page`,
whose cursor is the last row's sort key, opaque to the client. A response that embeds a collection (a claim's
history, a fee schedule's entries) embeds at most the first page of that collection's own route, EMBEDDED items,
with that page's `next_cursor` for the route: no response grows with the rows behind it.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query
from sqlalchemy import Select, literal, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from claimstream_platform.auth import Principal
from claimstream_platform.errors import RuleViolation

MAX_PAGE = 200  # the most items one page holds, whatever the client asks
EMBEDDED = 50  # the most items of a collection one response embeds (the first page of its own route)
KEY_TYPES = {date, datetime, UUID, Decimal, int, float, str}  # what a sort key's columns may be
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"items per page, at most {MAX_PAGE}")]
OpaqueCursor = Annotated[
    str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]+$", description="the `next_cursor` of the page before")
]


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


async def ordered_page(
    session: AsyncSession,
    query: Select[Any],
    order: Sequence[ColumnElement[Any]],
    *,
    limit: int,
    cursor: str | None,
    newest_first: bool = False,
) -> tuple[list[Row[Any]], str | None]:
    """A page of `query` in `order` (columns it selects, none null, together unique: the last breaks ties), all
    ascending or all descending (`newest_first`), after `cursor`; and the next page's cursor (None on the last)."""
    if cursor is not None:
        key = zip(_key(cursor, order), order, strict=True)
        after = tuple_(*(literal(value, type_=column.type) for value, column in key))
        query = query.where(tuple_(*order) < after if newest_first else tuple_(*order) > after)
    sort = [column.desc() for column in order] if newest_first else list(order)
    rows = list((await session.execute(query.order_by(*sort).limit(limit + 1))).all())
    page = rows[:limit]
    return page, (cursor_of([page[-1]._mapping[column] for column in order]) if len(rows) > limit else None)


def cursor_of(values: Sequence[Any]) -> str:
    """The cursor of a page that ends at a row with this sort key (`ordered_page`'s; a response that fetched the
    first page of an embedded collection itself gives its route this one)."""
    plain = [value.isoformat() if isinstance(value, date) else value for value in values]
    text = json.dumps([value if isinstance(value, int | float | str) else str(value) for value in plain])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _key(cursor: str, order: Sequence[ColumnElement[Any]]) -> list[Any]:
    """The sort key a cursor of ours carries, each value as its column's type; anything else is a 422 naming it."""
    kinds = [column.type.python_type for column in order]
    assert set(kinds) <= KEY_TYPES, f"a sort key of {kinds}: type each column of an `ordered_page` order"
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError(cursor)
        return [_typed(kind, value) for kind, value in zip(kinds, values, strict=True)]
    except (ValueError, TypeError, ArithmeticError, binascii.Error, UnicodeDecodeError):  # Decimal raises the third
        raise RuleViolation("not a cursor this API gave", field="cursor") from None


def _typed(kind: type, value: Any) -> Any:
    if kind in (date, datetime) and isinstance(value, str):
        return kind.fromisoformat(value)
    if kind in (UUID, Decimal) and isinstance(value, str):
        return kind(value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str) and type(value) is kind and "\x00" not in str(value):  # PostgreSQL stores no NUL
        return value
    raise TypeError(f"{value!r} is not a {kind.__name__}")


@dataclass(frozen=True)
class PageRequest:
    """A keyset page asked for: at most `limit` items after `cursor`, the `next_cursor` of the page before."""

    limit: int
    cursor: UUID | None


async def page_request(limit: Limit = 50, cursor: UUID | None = None) -> PageRequest:
    return PageRequest(limit, cursor)


Paging = Annotated[PageRequest, Depends(page_request)]  # a route's `limit` and `cursor` query parameters, id order


@dataclass(frozen=True)
class OrderedPageRequest:
    """A page of a list in its own order asked for: at most `limit` items after `cursor` (opaque)."""

    limit: int
    cursor: str | None


async def ordered_page_request(limit: Limit = 50, cursor: OpaqueCursor = None) -> OrderedPageRequest:
    return OrderedPageRequest(limit, cursor)


OrderedPaging = Annotated[OrderedPageRequest, Depends(ordered_page_request)]  # `limit` and an opaque `cursor`
