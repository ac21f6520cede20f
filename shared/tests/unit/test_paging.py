"""An ordered page's cursor (claimstream_platform.paging): it carries the last row's sort key back as the columns'
own types, and anything that is not one of its cursors (another shape, another length, another type) is a 422
naming `cursor`, never a 500."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.errors import RuleViolation
from claimstream_platform.paging import _key, cursor_of
from sqlalchemy import BigInteger, Column, Date, DateTime, Float, MetaData, Numeric, String, Table, func
from sqlalchemy.dialects.postgresql import UUID as PgUUID

rows = Table(
    "rows",
    MetaData(),
    Column("on", Date),
    Column("at", DateTime(timezone=True)),
    Column("rank", Float),
    Column("amount", Numeric(12, 2)),
    Column("seq", BigInteger),
    Column("code", String(5)),
    Column("id", PgUUID(as_uuid=True)),
)
ORDER = list(rows.c)


def test_a_cursor_carries_the_sort_key_back_as_its_columns_types() -> None:
    key = [
        date(2026, 1, 2),
        datetime(2026, 1, 2, 9, 30, 0, 123456, tzinfo=UTC),
        8.5,
        Decimal("10.10"),
        7,
        "9083",
        uuid4(),
    ]
    cursor = cursor_of(key)
    assert cursor.replace("-", "").replace("_", "").isalnum()  # fits the query parameter's pattern
    assert _key(cursor, ORDER) == key


@pytest.mark.parametrize(
    "forged",
    [
        "not base64 !",
        cursor_of([]),  # too short
        cursor_of(["2026-01-02"]),
        "eyJhIjoxfQ",  # {"a": 1}
        cursor_of(["not a date", "2026-01-02T09:30:00+00:00", 1.0, "1", 1, "x", str(uuid4())]),
        cursor_of(["2026-01-02", "2026-01-02T09:30:00+00:00", 1.0, "1", "7", "x", str(uuid4())]),  # seq as text
        cursor_of(["2026-01-02", "2026-01-02T09:30:00+00:00", 1.0, "1", 1, 5, str(uuid4())]),  # code as a number
        cursor_of(["2026-01-02", "2026-01-02T09:30:00+00:00", 1.0, "one", 1, "x", str(uuid4())]),
        cursor_of(["2026-01-02", "2026-01-02T09:30:00+00:00", True, "1", 1, "x", "not a uuid"]),
        cursor_of(["2026-01-02", "2026-01-02T09:30:00+00:00", 1.0, "1", 1, "x\x00", str(uuid4())]),
    ],
)
def test_anything_else_is_refused_naming_the_cursor(forged: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        _key(forged, ORDER)
    assert refused.value.field == "cursor"


def test_a_sort_key_of_an_untyped_expression_fails_loudly_not_as_a_clients_mistake() -> None:
    with pytest.raises(AssertionError, match="type each column"):
        _key(cursor_of([1]), [func.abs(rows.c.amount)])
