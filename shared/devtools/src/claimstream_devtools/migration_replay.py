"""A tree's migrations into a test's fresh schema, run by alembic once per test process and sent again after that.

Every service test has a schema of its own (`schemas_under_test`). Alembic and SQLAlchemy's compiler took
0.2 to 0.4 s of the test process's CPU for each (0.4 to 0.8 s in all on the slow test machine), hundreds of times a
run. The first schema of a tree is migrated by alembic, and what it sent to the server is recorded; each later one
is given the same statements, the first schema's name replaced by its own (its roles' names contain it), in one
transaction, the statements without parameters in one round trip (about 0.03 s of CPU). The server does the same
work either way: the schema, its tables, policies, grants and its `alembic_version` row are the ones alembic makes
(`shared/devtools/tests/test_migration_replay.py` compares the two).

What this relies on of a migration, true of every tree today (services/README.md, `migrations/`):
- it sends its statements through SQLAlchemy (alembic's operations, `connection.execute`), not the driver's own
  connection, which is not recorded;
- what it sends depends only on the schema: a value made in Python as it runs (a time, a uuid4, a key) is sent
  again as it was the first time, and what it reads decides the same way for every fresh schema;
- it changes nothing outside its schema but what the stack made before any test (the platform's practice
  registry, made with `checkfirst`);
- the schema's name appears in what it sends only where it means the schema or its roles;
- it sends no statement for many rows at once (alembic's `bulk_insert`): a tree that does is migrated by alembic
  for every schema, as before.
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
    parameters: Sequence[Any]


@dataclass(frozen=True)
class Recording:
    schema: str  # the schema alembic migrated, whose name each replay replaces
    sent: list[Sent]
    replayable: bool  # False when it sent rows at once (`executemany`), which is not replayed


# A tree's statements differ with the schema's roles: with roles of its own, the schema exists before it is
# migrated (made for its owner) and the migration writes the policies and grants that name them; without, the
# migration makes the schema, and names no role.
_recordings: dict[tuple[Path, bool], Recording] = {}


async def migrate_schema(database_url: str, schema: str, script_location: Path, *, own_roles: bool) -> None:
    """The tree applied to `schema` as `database_url`'s role: by alembic the first time in this process (for a
    schema with roles of its own, and for one without), then replayed."""
    kind = (script_location, own_roles)
    recording = _recordings.get(kind)
    if recording is not None and recording.replayable:
        await replay(recording, database_url, schema)
    else:
        _recordings[kind] = await asyncio.to_thread(recorded, database_url, schema, script_location)


def recorded(database_url: str, schema: str, script_location: Path) -> Recording:
    """Alembic's upgrade, with every statement its thread sends (the migration runs an event loop of its own in
    the thread that calls it: nothing else of the process is recorded)."""
    sent: list[Sent] = []
    at_once: list[str] = []
    thread = threading.get_ident()

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if threading.get_ident() != thread:
            return
        if many:
            at_once.append(statement)
        else:
            sent.append(Sent(statement, parameters or ()))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        migrate.upgrade(database_url, schema=schema, script_location=script_location)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return Recording(schema, sent, replayable=not at_once)


async def replay(recording: Recording, database_url: str, schema: str) -> None:
    engine = one_off_engine(database_url)
    try:
        async with engine.connect() as connection:
            driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
            async with driver.transaction():
                for statement, parameters in _steps(recording, schema):
                    await driver.execute(statement, *parameters)
    finally:
        await engine.dispose()


def _steps(recording: Recording, schema: str) -> Iterator[tuple[str, Sequence[Any]]]:
    """The statements renamed, each run of those without parameters joined into one (a line each, so that a
    statement's trailing comment ends with its line)."""

    def renamed(value: Any) -> Any:
        return value.replace(recording.schema, schema) if isinstance(value, str) else value

    waiting: list[str] = []
    for sent in recording.sent:
        if not sent.parameters:
            waiting.append(renamed(sent.statement))
            continue
        if waiting:
            yield "\n;\n".join(waiting), ()
            waiting = []
        yield renamed(sent.statement), [renamed(value) for value in sent.parameters]
    if waiting:
        yield "\n;\n".join(waiting), ()
