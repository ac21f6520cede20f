"""Denial management's migrated schema keeps the payers' approved authorizations as the platform's read model
defines them (`claimstream_platform.approvals`): the table was created here before the model moved to the
platform, and migration 0004 brings it in line. On real PostgreSQL."""

from claimstream_platform.approvals import authorizations
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_the_authorizations_table_is_the_platforms(engine: AsyncEngine, schema: str) -> None:
    query = text(
        "SELECT column_name, is_nullable, character_maximum_length FROM information_schema.columns"
        " WHERE table_schema = :schema AND table_name = 'authorizations'"
    )
    async with engine.connect() as connection:
        found = {row.column_name: row for row in await connection.execute(query, {"schema": schema})}
    assert set(found) == {column.name for column in authorizations.columns}
    for column in authorizations.columns:
        assert (found[column.name].is_nullable == "YES") == column.nullable, column.name
        assert found[column.name].character_maximum_length == getattr(column.type, "length", None), column.name
