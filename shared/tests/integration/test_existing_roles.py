"""Issue 29: in a cluster, CloudNativePG makes each service's three roles and keeps their passwords (docs/deploy.md);
`database_roles --existing` only grants. It refuses a role that is missing, or that may do more than log in, and
otherwise leaves the schema to its owner and the app and across roles their use of it, their passwords untouched."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from claimstream_devtools.schemas_under_test import drop_schema
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.database_roles import grant_existing_roles, owner_role, users
from claimstream_platform.engines import create_engine
from sqlalchemy import text


@pytest.fixture
async def schema(stack: StackUnderTest) -> AsyncIterator[str]:
    name = f"existing_{uuid4().hex[:10]}"
    yield name
    await drop_schema(stack, name)


async def test_an_operators_roles_are_granted_and_keep_their_passwords(stack: StackUnderTest, schema: str) -> None:
    with pytest.raises(SystemExit, match=f"role {owner_role(schema)} does not exist"):
        await grant_existing_roles(stack.database_url, schema)
    await _make(stack, [owner_role(schema), *users(schema)], options="LOGIN CREATEROLE")
    with pytest.raises(SystemExit, match="may do more than log in"):
        await grant_existing_roles(stack.database_url, schema)
    await _make(stack, [owner_role(schema), *users(schema)], options="LOGIN NOCREATEROLE", verb="ALTER")
    password = await _one(stack, "SELECT rolpassword FROM pg_authid WHERE rolname = :r", r=users(schema)[0])
    await grant_existing_roles(stack.database_url, schema)
    owner = await _one(stack, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = :s", s=schema)
    assert owner == owner_role(schema)
    for role in users(schema):
        assert await _one(stack, "SELECT has_schema_privilege(:r, :s, 'USAGE')", r=role, s=schema) is True
    assert await _one(stack, "SELECT rolpassword FROM pg_authid WHERE rolname = :r", r=users(schema)[0]) == password


async def _one(stack: StackUnderTest, query: str, **parameters: str) -> object:
    admin = create_engine(stack.database_url, schema="public", connections=1)
    try:
        async with admin.connect() as connection:
            return await connection.scalar(text(query), parameters)
    finally:
        await admin.dispose()


async def _make(stack: StackUnderTest, roles: list[str], *, options: str, verb: str = "CREATE") -> None:
    admin = create_engine(stack.database_url, schema="public", connections=1)
    async with admin.begin() as connection:
        for role in roles:
            password = "" if verb == "ALTER" else f" PASSWORD '{uuid4().hex}'"
            await connection.execute(text(f'{verb} ROLE "{role}" {options}{password}'))
    await admin.dispose()
