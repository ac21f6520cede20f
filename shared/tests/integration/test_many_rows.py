"""Many rows in one statement (`many_rows`): rows land in the order given, with their JSON (lists too), bytes, NULLs
and server defaults, as an executemany would have written them; a taken key is skipped when asked; rows updated by
key change only the named rows and columns; an array column's values land whole; a value too long for its column is
refused, never cut; a column with a default made in Python, and two updates of one row are refused before anything
is written."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from claimstream_platform.db import outbox
from claimstream_platform.many_rows import given, insert_many, skip_existing, update_many
from sqlalchemy import ARRAY, CHAR, Column, Integer, MetaData, Numeric, String, Table, select, text
from sqlalchemy.dialects.postgresql import JSONB, Insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_metadata = MetaData()
_kinds = Table(
    "kinds",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", Numeric(12, 2)),
    Column("detail", JSONB, nullable=False),
    Column("label", String(20), nullable=False, server_default=text("'none'")),
    Column("codes", ARRAY(String(10))),
    Column("code", CHAR(3)),
)


_stamped = Table(
    "stamped", _metadata, Column("id", Integer, primary_key=True), Column("stamped", String(9), default="now")
)


def _event(index: int) -> dict[str, object]:
    tenant = uuid4()
    return {
        "event_id": uuid4(),
        "topic": "t.v1",
        "key": f"key-{index}",
        "event_type": "Thing",
        "subject": "s",
        "tenant_id": tenant,
        "practice_id": None if index % 2 else uuid4(),
        "correlation_id": tenant,
        "causation_id": None,
        "traceparent": None,
        "payload": f'{{"n": {index}}}'.encode(),
    }


async def test_outbox_rows_are_numbered_in_the_order_given(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    rows = [_event(index) for index in range(40)]
    async with sessionmaker() as session, session.begin():
        await insert_many(session, outbox, rows)
    async with sessionmaker() as session:
        stored = (await session.execute(select(outbox).order_by(outbox.c.seq))).all()
    assert [row.event_id for row in stored] == [row["event_id"] for row in rows]
    assert [row.payload for row in stored] == [row["payload"] for row in rows]
    assert [row.practice_id for row in stored] == [row["practice_id"] for row in rows]
    assert all(row.created_at <= datetime.now(UTC) for row in stored)  # the server's default


async def test_values_defaults_and_taken_keys(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda sync: _kinds.create(sync.connection()))
        first = [
            {"id": 1, "amount": Decimal("10.05"), "detail": {"a": [1, "x"]}},
            {"id": 2, "amount": None, "detail": [{"rule": "x"}, {"rule": "y"}]},
        ]
        await insert_many(session, _kinds, first)
        again = [
            {"id": 2, "amount": Decimal("1.00"), "detail": {"b": 2}},
            {"id": 3, "amount": Decimal("0.10"), "detail": {}},
        ]
        await insert_many(session, _kinds, again, on_conflict=skip_existing)
        stored = (await session.execute(select(_kinds).order_by(_kinds.c.id))).all()
    assert [(r.id, r.amount, r.detail, r.label) for r in stored] == [
        (1, Decimal("10.05"), {"a": [1, "x"]}, "none"),
        (2, None, [{"rule": "x"}, {"rule": "y"}], "none"),  # the row already there stands
        (3, Decimal("0.10"), {}, "none"),
    ]


def _added(statement: Insert, _columns: tuple[str, ...]) -> Insert:
    return statement.on_conflict_do_update(
        index_elements=["id"], set_={"amount": _kinds.c.amount + statement.excluded.amount}
    )


async def test_an_upsert_adds_to_the_rows_there(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda sync: _kinds.create(sync.connection()))
        await insert_many(session, _kinds, [{"id": 1, "amount": Decimal("1.10"), "detail": {}}])
        twice = [{"id": 2, "amount": Decimal("0.01"), "detail": {}}, {"id": 1, "amount": Decimal("2.20"), "detail": {}}]
        await insert_many(session, _kinds, twice, on_conflict=_added)
        stored = (await session.execute(select(_kinds.c.id, _kinds.c.amount).order_by(_kinds.c.id))).all()
    assert [tuple(row) for row in stored] == [(1, Decimal("3.30")), (2, Decimal("0.01"))]


async def test_rows_updated_by_key(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda sync: _kinds.create(sync.connection()))
        rows = [{"id": n, "amount": Decimal(n), "detail": {}, "label": f"l{n}"} for n in range(1, 5)]
        await insert_many(session, _kinds, rows)
        changes = [{"id": 3, "amount": None, "detail": [1, [2]]}, {"id": 1, "amount": Decimal("7.77"), "detail": []}]
        await update_many(session, _kinds, "id", changes)
        stored = (await session.execute(select(_kinds).order_by(_kinds.c.id))).all()
    assert [(r.id, r.amount, r.detail, r.label) for r in stored] == [
        (1, Decimal("7.77"), [], "l1"),
        (2, Decimal(2), {}, "l2"),  # not named: unchanged
        (3, None, [1, [2]], "l3"),
        (4, Decimal(4), {}, "l4"),
    ]


async def test_a_value_too_long_is_refused_not_cut(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda sync: _kinds.create(sync.connection()))
    async with sessionmaker() as session:
        with pytest.raises(DBAPIError, match="too long"):
            await insert_many(session, _kinds, [{"id": 1, "detail": {}, "label": "x" * 21}])  # String(20)
    async with sessionmaker() as session:
        with pytest.raises(DBAPIError, match="too long"):
            await insert_many(session, _kinds, [{"id": 1, "detail": {}, "code": "ABCD"}])  # CHAR(3)
    async with sessionmaker() as session, session.begin():
        await insert_many(session, _kinds, [{"id": 1, "detail": {}, "label": "short", "code": "ABC"}])
        assert await session.scalar(select(_kinds.c.code)) == "ABC"  # whole, not its first character
    async with sessionmaker() as session:
        with pytest.raises(DBAPIError, match="too long"):
            await update_many(session, _kinds, "id", [{"id": 1, "label": "y" * 21}])


async def test_two_rows_for_one_key_and_python_defaults_are_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        with pytest.raises(ValueError, match="rows for kinds name different columns"):
            await insert_many(session, _kinds, [{"id": 1, "detail": {}}, {"id": 2, "detail": {}, "label": "x"}])
        with pytest.raises(ValueError, match="two rows for one kinds.id"):
            await update_many(session, _kinds, "id", [{"id": 1, "label": "a"}, {"id": 1, "label": "b"}])
        with pytest.raises(TypeError, match="stamped has a default made in Python"):
            await insert_many(session, _stamped, [{"id": 1}])
        assert not session.in_transaction()  # refused before anything was sent


async def test_an_array_column_lands_as_given(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """unnest flattens an array of arrays: each row's array goes as its text and is cast back, whatever it holds."""
    odd = ['say "no"', "back\\slash", "a,b", "{x}", "", "NULL", None]
    codes = [["CO-50", "M77"], odd, [], None]
    async with sessionmaker() as session, session.begin():
        await session.run_sync(lambda sync: _kinds.create(sync.connection()))
        await insert_many(session, _kinds, [{"id": 20 + n, "detail": {}, "codes": c} for n, c in enumerate(codes)])
        await update_many(session, _kinds, "id", [{"id": 20, "codes": ["PR-1"]}, {"id": 22, "codes": odd[:2]}])
        stored = (
            await session.execute(select(_kinds.c.codes).where(_kinds.c.id >= 20).order_by(_kinds.c.id))
        ).scalars()
        assert list(stored) == [["PR-1"], odd, odd[:2], None]
        with pytest.raises(TypeError, match="kinds.codes is an array"):
            given(_kinds, ("id", "codes"))  # a statement of one's own would get its text
    async with sessionmaker() as session, session.begin():
        with pytest.raises(DBAPIError, match="too long"):  # refused, never cut
            await insert_many(session, _kinds, [{"id": 30, "detail": {}, "codes": ["ELEVEN-LONG"]}])


async def test_no_rows_is_no_statement(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        await insert_many(session, outbox, [])
        assert not session.in_transaction()  # nothing was sent, not even a BEGIN
