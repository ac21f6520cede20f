"""Reads by a list of values in one statement text for any count (`many_rows.one_of`, `rows_in`), on real
PostgreSQL: an IN list rendered a parameter per value, so every count was a statement of its own, prepared anew by the
driver (a round trip more) and crowding the others out of its cache (issue 33). They find what IN found, nothing
for no values, and compare a value longer than its column as it is, never cut to the column's length."""

from uuid import uuid4

import pytest
from claimstream_platform.many_rows import one_of, rows_in
from sqlalchemy import CHAR, Column, Enum, Integer, MetaData, String, Table, Uuid, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_metadata = MetaData()
_labels = Table(
    "labels",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("label", String(5), nullable=False),
)
A, B = uuid4(), uuid4()
ROWS = [
    {"id": 1, "tenant_id": A, "label": "abcde"},
    {"id": 2, "tenant_id": A, "label": "x"},
    {"id": 3, "tenant_id": B, "label": "abcde"},
]


def _text(values: list[int]) -> str:
    return str(select(_labels.c.id).where(one_of(_labels.c.id, values)).compile(dialect=postgresql.dialect()))


def _pairs_text(rows: list[tuple[object, str]]) -> str:
    query = select(_labels.c.id).where(rows_in((_labels.c.tenant_id, _labels.c.label), rows))
    return str(query.compile(dialect=postgresql.dialect()))


def test_one_text_for_any_count() -> None:
    assert _text([1]) == _text([1, 2, 3, 4, 5, 6, 7]) == _text([])
    assert _pairs_text([(A, "x")]) == _pairs_text([(A, "x"), (B, "y"), (B, "z")])


async def test_they_find_what_in_found(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda sync: _labels.create(sync.connection()))
        await session.execute(insert(_labels), ROWS)

        async def ids(condition: object) -> list[int]:
            return sorted(await session.scalars(select(_labels.c.id).where(condition)))  # type: ignore[arg-type]

        assert await ids(one_of(_labels.c.id, [3, 1, 9])) == [1, 3]
        assert await ids(one_of(_labels.c.id, [])) == []
        pair = (_labels.c.tenant_id, _labels.c.label)
        assert await ids(rows_in(pair, [(A, "abcde"), (B, "x")])) == [1]
        assert await ids(rows_in(pair, [(A, "x"), (B, "abcde")])) == [2, 3]
        assert await ids(rows_in(pair, [])) == []
        assert await ids(one_of(_labels.c.label, ["abcdefg"])) == []  # not cut to "abcde"
        assert await ids(rows_in(pair, [(A, "abcdefg")])) == []


def test_a_char_column_is_refused_and_a_varchar_enum_is_compared_as_text() -> None:
    """char(n) compared as text would miss blank-padded values; a non-native enum is a varchar, which a cast to its
    own type would cut."""
    table = Table("t", MetaData(), Column("code", CHAR(3)), Column("kind", Enum("a", "bb", native_enum=False)))
    with pytest.raises(TypeError, match="char"):
        one_of(table.c.code, ["x"])
    compiled = str(select(table.c.kind).where(one_of(table.c.kind, ["a"])).compile(dialect=asyncpg.dialect()))
    assert "TEXT[]" in compiled and "VARCHAR" not in compiled, compiled
