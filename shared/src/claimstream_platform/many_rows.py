"""Many rows written by one statement: each column's values as one array parameter, unnested together.

`session.execute(insert(table), rows)` is an executemany: SQLAlchemy builds each row's parameters and PostgreSQL
binds, plans and runs the statement once per row (pg_stat_statements counts a call per row; the bench found the
projection's fold rows, every service's outbox rows and the claims' history written that way were most of the
statements of an encounter). Here a list of rows is one statement for any count, compiled once per table and set of
columns: `INSERT ... SELECT ... FROM unnest($1::uuid[], $2::varchar[], ...) WITH ORDINALITY ... ORDER BY ordinality`.
The order is the list's, so an identity column (the outbox's `seq`, which orders publishing) numbers the rows in the
order they were given. Columns the rows leave out take their server defaults; a column that is itself an array
cannot be unnested this way and is refused. `update_many` is the same for rows each naming its row by a key. A
statement of a service's own over many rows (an UPDATE whose SET is more than the given values) joins `given(table,
columns)` and is executed with `arrays(rows)`.
"""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, Enum, String, Table, Text, Update, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TableValuedAlias

OnConflict = Callable[[Insert, tuple[str, ...]], Insert]  # the statement and the columns it writes


def skip_existing(statement: Insert, _columns: tuple[str, ...]) -> Insert:
    """A row whose unique key is taken is left out."""
    return statement.on_conflict_do_nothing()


async def insert_many(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], *, on_conflict: OnConflict | None = None
) -> None:
    """Insert `rows` (dicts with the same keys) in one statement; `on_conflict` adds what a taken key does
    (`skip_existing`, or an upsert: then no two rows may share a key). It is a module-level function: the statement
    is built once per table, columns and `on_conflict`, and kept."""
    if not rows:
        return
    columns = tuple(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"rows for {table.name} name different columns")
    await session.execute(_statement(table, columns, on_conflict), arrays(rows))


async def update_many(session: AsyncSession, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Set each row's other values on the row whose `key` column is its `key` value, in one statement (rows with the
    same keys; one row per key)."""
    if not rows:
        return
    columns = tuple(name for name in rows[0] if name != key)
    if len({row[key] for row in rows}) < len(rows):
        raise ValueError(f"two rows for one {table.name}.{key}: PostgreSQL would apply either")
    await session.execute(_update(table, key, columns), arrays(rows))


def given(table: Table, columns: tuple[str, ...]) -> TableValuedAlias:
    """The rows `arrays` passes, as a table `given` with these columns of `table`, typed as they are there."""
    return func.unnest(*_arrays(table, columns)).table_valued(*columns).render_derived("given")


def arrays(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The parameters of a statement over `given` rows: one array per column."""
    return {_array_name(name): [row[name] for row in rows] for name in rows[0]} if rows else {}


@cache
def _statement(table: Table, columns: tuple[str, ...], on_conflict: OnConflict | None) -> Insert:
    for column in table.c:
        if column.name not in columns and (column.default is not None or column.onupdate is not None):
            raise TypeError(f"{table.name}.{column.name} has a default made in Python: give it in the rows")
    zipped = func.unnest(*_arrays(table, columns)).table_valued(*columns, with_ordinality="position")
    zipped = zipped.render_derived("given")
    rows = select(*(zipped.c[name] for name in columns)).order_by(zipped.c.position)
    statement = insert(table).from_select(list(columns), rows, include_defaults=False)
    return on_conflict(statement, columns) if on_conflict else statement


@cache
def _update(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    rows = given(table, (key, *columns))
    return update(table).where(table.c[key] == rows.c[key]).values({name: rows.c[name] for name in columns})


def _arrays(table: Table, columns: tuple[str, ...]) -> list[Any]:
    """An array parameter per column, typed as the column (named apart from the columns: an UPDATE's SET keeps
    those names for itself). One dimension: a JSON value that is a list is one element, not a row of elements."""
    return [bindparam(_array_name(name), type_=ARRAY(_element(table, name), dimensions=1)) for name in columns]


def _element(table: Table, name: str) -> Any:
    """The column's type, but a string's as unbounded text: casting to varchar(n) would cut a longer value where the
    column refuses it (char(n) without its length is char(1)). The column's own assignment refuses it, as it refused
    an executemany's value. An enum keeps its type: text does not become an enum by assignment."""
    kind = table.c[name].type
    if isinstance(kind, ARRAY):
        raise TypeError(f"{table.name}.{name} is an array: it cannot be unnested with the others")
    if isinstance(kind, String) and not isinstance(kind, Enum):
        return Text()
    return kind


def _array_name(column: str) -> str:
    return f"each_{column}"
