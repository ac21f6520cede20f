"""Many rows written by one statement: each column's values as one array parameter, unnested together.

`session.execute(insert(table), rows)` is an executemany: SQLAlchemy builds each row's parameters and PostgreSQL
binds, plans and runs the statement once per row (pg_stat_statements counts a call per row; the bench found the
projection's fold rows, every service's outbox rows and the claims' history written that way were most of the
statements of an encounter). Here a list of rows is one statement for any count, compiled once per table and set of
columns: `INSERT ... SELECT ... FROM unnest($1::uuid[], $2::varchar[], ...) WITH ORDINALITY ... ORDER BY ordinality`.
The order is the list's, so an identity column (the outbox's `seq`, which orders publishing) numbers the rows in the
order they were given. Columns the rows leave out take their server defaults. A column that is itself an array
cannot be unnested with the others (unnest flattens an array of arrays): each row's array goes as its text, in
PostgreSQL's array syntax, and is cast back to the column's type. `update_many` is the same for rows each naming its
row by a key. A statement of a service's own over many rows (an UPDATE whose SET is more than the given values) joins
`given(table, columns)` (no array columns) and is executed with `arrays(rows)`.

The same goes for reading: `column.in_(values)` renders a parameter per value, so each count is a statement text of
its own, which the driver prepares anew (a round trip more) and which crowds the others out of its cache of prepared
statements. `one_of(column, values)` and `rows_in(columns, rows)` are one text for any count.
"""

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    CHAR,
    ColumnElement,
    Enum,
    String,
    Table,
    Text,
    Update,
    any_,
    bindparam,
    cast,
    func,
    select,
    tuple_,
    update,
)
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
    await session.execute(_statement(table, columns, on_conflict), arrays(_texts_of_arrays(table, rows)))


async def update_many(session: AsyncSession, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Set each row's other values on the row whose `key` column is its `key` value, in one statement (rows with the
    same keys; one row per key)."""
    if not rows:
        return
    columns = tuple(name for name in rows[0] if name != key)
    if len({row[key] for row in rows}) < len(rows):
        raise ValueError(f"two rows for one {table.name}.{key}: PostgreSQL would apply either")
    await session.execute(_update(table, key, columns), arrays(_texts_of_arrays(table, rows)))


def given(table: Table, columns: tuple[str, ...]) -> TableValuedAlias:
    """The rows `arrays` passes, as a table `given` with these columns of `table`, typed as they are there (an array
    column is refused: it would come as text)."""
    for name in columns:
        if isinstance(table.c[name].type, ARRAY):
            raise TypeError(f"{table.name}.{name} is an array: it cannot be unnested with the others")
    return _given(table, columns)


def one_of(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values`, as `column = ANY($1)`: one statement text for any number of values."""
    return column == any_(_array_of(column, list(values)))


def rows_in(columns: Sequence[ColumnElement[Any]], rows: Iterable[Sequence[Any]]) -> ColumnElement[bool]:
    """`(a, b, ...) IN rows`, the rows given as an array per column, unnested together: one statement text for any
    number of rows."""
    listed = [tuple(row) for row in rows]
    arrays = (_array_of(column, [row[n] for row in listed]) for n, column in enumerate(columns))
    return tuple_(*columns).in_(select(*(func.unnest(array) for array in arrays)))


def _array_of(column: ColumnElement[Any], values: list[Any]) -> Any:
    """The values as one array parameter of the column's type; a string column's as unbounded text, so that a longer
    value is compared as it is, not cut to the column's length."""
    kind = column.type
    if isinstance(kind, CHAR):  # compared as text, a blank-padded value would miss and its index go unused
        raise TypeError(f"{column} is char(n): compare it with in_()")
    native = isinstance(kind, Enum) and kind.native_enum
    element = Text() if isinstance(kind, String) and not native else kind  # a non-native enum is a varchar
    return bindparam(None, values, type_=ARRAY(element), unique=True)


def _given(table: Table, columns: tuple[str, ...]) -> TableValuedAlias:
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
    rows = select(*(_typed(table, zipped.c[name]) for name in columns)).order_by(zipped.c.position)
    statement = insert(table).from_select(list(columns), rows, include_defaults=False)
    return on_conflict(statement, columns) if on_conflict else statement


@cache
def _update(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    rows = _given(table, (key, *columns))
    return update(table).where(table.c[key] == rows.c[key]).values({n: _typed(table, rows.c[n]) for n in columns})


def _arrays(table: Table, columns: tuple[str, ...]) -> list[Any]:
    """An array parameter per column, typed as the column (named apart from the columns: an UPDATE's SET keeps
    those names for itself). One dimension: a JSON value that is a list is one element, not a row of elements."""
    return [bindparam(_array_name(name), type_=ARRAY(_element(table, name), dimensions=1)) for name in columns]


def _element(table: Table, name: str) -> Any:
    """The column's type, but a string's as unbounded text: casting to varchar(n) would cut a longer value where the
    column refuses it (char(n) without its length is char(1)). The column's own assignment refuses it, as it refused
    an executemany's value. An enum keeps its type: text does not become an enum by assignment."""
    kind = table.c[name].type
    if isinstance(kind, String | ARRAY) and not isinstance(kind, Enum):  # an array: its text (`_texts_of_arrays`)
        return Text()
    return kind


def _typed(table: Table, given: Any) -> Any:
    """A given value as its column takes it: an array column's text cast back to an array; of strings, to unbounded
    text, so that the column's own assignment refuses an element too long (a cast to varchar(n) would cut it)."""
    kind = table.c[given.name].type
    if not isinstance(kind, ARRAY):
        return given
    element = kind.item_type
    return cast(given, ARRAY(Text()) if isinstance(element, String) and not isinstance(element, Enum) else kind)


def _texts_of_arrays(table: Table, rows: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """The rows with each array column's value as its text in PostgreSQL's array syntax (elements quoted, a quote or
    a backslash in one escaped; None as NULL)."""
    listed = [name for name in rows[0] if isinstance(table.c[name].type, ARRAY)]
    if not listed:
        return rows
    return [row | {name: _array_text(row[name]) for name in listed} for row in rows]


def _array_text(values: Sequence[Any] | None) -> str | None:
    if values is None:
        return None
    quoted = ("NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


def _array_name(column: str) -> str:
    return f"each_{column}"
