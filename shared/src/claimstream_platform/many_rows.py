"""Many rows written by one statement: each column's values as one array parameter, unnested together.

`session.execute(insert(table), rows)` is an executemany: SQLAlchemy builds each row's parameters and PostgreSQL
binds, plans and runs the statement once per row (pg_stat_statements counts a call per row; the bench found the
projection's fold rows, every service's outbox rows and the claims' history written that way were most of the
statements of an encounter). Here a list of rows is one statement for any count, compiled once per table and set of
columns: `INSERT ... SELECT ... FROM unnest($1::uuid[], $2::varchar[], ...) WITH ORDINALITY ... ORDER BY ordinality`.
The order is the list's, so an identity column (the outbox's `seq`, which orders publishing) numbers the rows in the
order they were given. Columns the rows leave out take their server defaults; a column that is itself an array
cannot be unnested this way and is refused.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


async def insert_many(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], *, skip_existing: bool = False
) -> None:
    """Insert `rows` (dicts with the same keys) in one statement; with `skip_existing`, a row whose unique key is
    taken is left out (ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    columns = tuple(rows[0])
    arrays = {name: [row[name] for row in rows] for name in columns}
    await session.execute(_statement(table, columns, skip_existing), arrays)


@cache
def _statement(table: Table, columns: tuple[str, ...], skip_existing: bool) -> Insert:
    for name in columns:
        if isinstance(table.c[name].type, ARRAY):
            raise TypeError(f"{table.name}.{name} is an array: it cannot be unnested with the others")
    arrays = [bindparam(name, type_=ARRAY(table.c[name].type)) for name in columns]
    zipped = func.unnest(*arrays).table_valued(*columns, with_ordinality="position").render_derived("given")
    rows = select(*(zipped.c[name] for name in columns)).order_by(zipped.c.position)
    statement = insert(table).from_select(list(columns), rows, include_defaults=False)
    return statement.on_conflict_do_nothing() if skip_existing else statement
