"""Schemas for tests: a fresh one per test with a service's migrations applied, migrated by an owner role of its own
and used by an app role and an across-tenants role of its own under row-level security, as in production, dropped
afterwards."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from claimstream_platform import revocations
from claimstream_platform.database_roles import ServiceRoles, drop_roles, ensure_roles
from claimstream_platform.engines import create_engine
from claimstream_platform.kit import Service
from sqlalchemy import text

from claimstream_devtools.migration_replay import migrate_schema

if TYPE_CHECKING:
    from claimstream_devtools.testing import StackUnderTest

__all__ = ["drop_schema", "migrated_schema", "schema_roles", "service_schema", "with_revocation_list"]


# The roles of each schema made with `own_roles`: its service's settings connect as its app role.
_roles: dict[str, ServiceRoles] = {}


def schema_roles(schema: str) -> ServiceRoles | None:
    """The roles of a schema made with `own_roles` (while it exists)."""
    return _roles.get(schema)


@asynccontextmanager
async def migrated_schema(
    stack: "StackUnderTest", prefix: str, script_location: Path, *, own_roles: bool = False, package: str | None = None
) -> AsyncIterator[str]:
    """A fresh schema with a service's migrations applied, dropped afterwards: one per test keeps tests apart. With
    `own_roles`, as in production: migrated by an owner role of its own, and used by an app role and an
    across-tenants role of its own (the settings `service_settings` makes), under row-level security, whose
    policies name them; all three are dropped with it."""
    name = f"{prefix}_{uuid4().hex[:12]}"
    roles = await ensure_roles(stack.database_url, name, package) if own_roles else None
    url = roles.owner_url if roles else stack.database_url
    try:
        await migrate_schema(url, name, script_location, own_roles=roles is not None)
        await with_revocation_list(url, name)
        if roles:
            _roles[name] = roles
        yield name
    finally:
        _roles.pop(name, None)
        await drop_schema(stack, name, roles=roles is not None)


async def drop_schema(stack: "StackUnderTest", name: str, *, roles: bool = True) -> None:
    """A test's schema dropped, and with `roles` its owner, app and across roles."""
    admin = create_engine(stack.database_url, schema="public", connections=2)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        await admin.dispose()
    if roles:
        await drop_roles(stack.database_url, name)


async def with_revocation_list(database_url: str, schema: str) -> None:
    """The identity service's revocation table in a test's own schema, which its settings name as the list's home
    (`service_settings`): each test checks tokens against a list of its own, as production does against identity's.
    Made by the schema's owner, so its app role may read it as every app role reads identity's."""
    engine = create_engine(database_url, schema=schema, connections=2)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(revocations.create_tables)
    finally:
        await engine.dispose()


@asynccontextmanager
async def service_schema(stack: "StackUnderTest", service: Service[Any]) -> AsyncIterator[str]:
    """A fresh schema with the service's migrations applied (named after it), with roles of its own, dropped
    afterwards."""
    prefix = service.package.split("_")[0][:8]
    async with migrated_schema(stack, prefix, service.migrations, own_roles=True, package=service.package) as name:
        yield name
