"""What every paged route's tests check (claimstream_platform.paging): following `next_cursor` reaches every row,
the last page says so, and a `limit` over the platform's cap is refused naming it."""

from collections.abc import Mapping
from typing import Any

from claimstream_platform.paging import MAX_PAGE
from httpx import AsyncClient

MOST_PAGES = 1000  # a list that pages on beyond this is a cursor that never ends


async def every_page(
    client: AsyncClient,
    path: str,
    headers: Mapping[str, str],
    *,
    limit: int,
    params: Mapping[str, Any] | None = None,
    items_field: str = "items",
    cursor_field: str = "next_cursor",
) -> list[list[Any]]:
    """The items of each page of a list route, `limit` a page, following its cursor to the last page (a report
    that pages a collection of its own names its fields: `off` and `off_next_cursor`)."""
    pages: list[list[Any]] = []
    cursor: str | None = None
    for _ in range(MOST_PAGES):
        query = {**(params or {}), "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=dict(headers))
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body[items_field]) <= limit, f"{len(body[items_field])} items on a page of {limit}"
        pages.append(body[items_field])
        cursor = body[cursor_field]
        if cursor is None:
            return pages
    raise AssertionError(f"{path} still pages on after {MOST_PAGES} pages")


async def assert_limit_capped(
    client: AsyncClient, path: str, headers: Mapping[str, str], params: Mapping[str, Any] | None = None
) -> None:
    """A page larger than the platform's cap is refused: 422 naming `limit`."""
    response = await client.get(path, params={**(params or {}), "limit": MAX_PAGE + 1}, headers=dict(headers))
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["query.limit"]


async def assert_foreign_cursor_refused(
    client: AsyncClient, path: str, headers: Mapping[str, str], params: Mapping[str, Any] | None = None
) -> None:
    """A cursor this API did not give (well-formed base64 of something else) is a 422 naming `cursor`, not a 500."""
    for cursor in ("bm90IGEgY3Vyc29y", "eyJhIjoxfQ", "W10"):  # 'not a cursor', '{"a":1}', '[]'
        response = await client.get(path, params={**(params or {}), "cursor": cursor}, headers=dict(headers))
        assert response.status_code == 422, response.text
        assert [error["field"] for error in response.json()["errors"]] == ["cursor"], response.text
