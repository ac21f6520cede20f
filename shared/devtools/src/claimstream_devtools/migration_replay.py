"""A tree's migrations into a test's fresh schema, run by alembic once per test process and sent again after that.

Every service test has a schema of its own (`schemas_under_test`). Alembic and SQLAlchemy's compiler took
0.2 to 0.4 s of the test process's CPU for each (0.4 to 0.8 s in all on the slow test machine), hundreds of times a
run. The first schema of a tree is migrated by alembic, and what it sent to the server is recorded; each later one
is given the same statements, the first schema's name replaced by its own (its roles' names contain it), in one
transaction, the statements without parameters in one round trip (about 0.03 s of CPU). The server does the same
work either way: the schema, its tables, policies, grants and its `alembic_version` row are the ones alembic makes
(`shared/devtools/tests/test_migration_replay.py` compares the two).
"""

import asyncio
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from claimstream_platform import migrate
from claimstream_platform.engines import one_off_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Sent:
    statement: str
    parameters: Sequence[Any]  # one row; rows with `many`
    many: bool


@dataclass(frozen=True)
class Recording:
    schema: str  # the schema alembic migrated, whose name each replay replaces
    sent: list[Sent]


# A tree's statements differ with the schema's roles: with roles of its own, the schema exists before it is
# migrated (made for its owner) and the migration writes the policies and grants that name them; without, the
# migration makes the schema, and names no role.
_recordings: dict[tuple[Path, bool], Recording] = {}


async def migrate_schema(database_url: str, schema: str, script_location: Path, *, own_roles: bool) -> None:
    """The tree applied to `schema` as `database_url`'s role: by alembic the first time in this process (for a
    schema with roles of its own, and for one without), then replayed."""
    kind = (script_location, own_roles)
    recording = _recordings.get(kind)
    if recording is None:
        _recordings[kind] = await asyncio.to_thread(recorded, database_url, schema, script_location)
    else:
        await replay(recording, database_url, schema)


def recorded(database_url: str, schema: str, script_location: Path) -> Recording:
    """Alembic's upgrade, with every statement its thread sends (the migration runs an event loop of its own in
    the thread that calls it: nothing else of the process is recorded)."""
    sent: list[Sent] = []
    thread = threading.get_ident()

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if threading.get_ident() == thread:
            sent.append(Sent(statement, parameters or (), many))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        migrate.upgrade(database_url, schema=schema, script_location=script_location)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return Recording(schema, sent)


async def replay(recording: Recording, database_url: str, schema: str) -> None:
    engine = one_off_engine(database_url)
    try:
        async with engine.connect() as connection:
            driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
            async with driver.transaction():
                for statement, parameters, many in _steps(recording, schema):
                    if many:
                        await driver.executemany(statement, parameters)
                    else:
                        await driver.execute(statement, *parameters)
    finally:
        await engine.dispose()


def _steps(recording: Recording, schema: str) -> Iterator[tuple[str, Sequence[Any], bool]]:
    """The statements renamed, each run of those without parameters joined into one."""

    def renamed(value: Any) -> Any:
        return value.replace(recording.schema, schema) if isinstance(value, str) else value

    waiting: list[str] = []
    for sent in recording.sent:
        if not sent.parameters:
            waiting.append(renamed(sent.statement))
            continue
        if waiting:
            yield ";\n".join(waiting), (), False
            waiting = []
        rows = [[renamed(v) for v in row] for row in sent.parameters] if sent.many else None
        yield renamed(sent.statement), rows or [renamed(v) for v in sent.parameters], sent.many
    if waiting:
        yield ";\n".join(waiting), (), False
