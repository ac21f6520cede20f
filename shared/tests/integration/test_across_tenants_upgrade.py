"""An installation made when each service had two roles (owner, app) and crossed tenants by a setting upgrades as
docs/security.md says: its migration refuses to run until `database_roles` has made the across-tenants role; then
that role has the app role's rights on every table already there and sees every tenant's rows, and the setting
opens nothing to the app role any more."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform import migrate
from claimstream_platform.context import ACROSS_TENANTS, Tenancy
from claimstream_platform.database_roles import ServiceRoles, drop_roles, ensure_roles
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.kit import Service, discover
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from two_tenants import A, B, seed_two_tenants

ROOT = Path(__file__).resolve().parents[3]
Installed = tuple[Service[Any], ServiceRoles, list[str]]  # the service, its roles then, the tables with rows
UPGRADED = [s for s in discover(ROOT / "services") if list(s.migrations.glob("versions/*_across_tenants_role.py"))]


@pytest.fixture(params=UPGRADED, ids=[service.package for service in UPGRADED])
async def installed(request: pytest.FixtureRequest, stack: StackUnderTest) -> AsyncIterator[Installed]:
    """A service's schema as the release before left it: two roles, migrated up to the revision before the
    across-tenants role, its tenant wall open to `claimstream.all_tenants`, rows of two tenants in it."""
    service: Service[Any] = request.param
    name = f"up_{uuid4().hex[:12]}"
    roles = await ensure_roles(stack.database_url, name, service.package)
    admin = create_engine(stack.database_url, schema=name, connections=2)
    try:
        await asyncio.to_thread(_upgrade_to, roles.owner_url, name, service.migrations, _before_across(service))
        async with admin.begin() as connection:
            await connection.run_sync(migrate.wall_by_setting)
            await connection.execute(text(f'DROP OWNED BY "{roles.across}"'))
            await connection.execute(text(f'DROP ROLE "{roles.across}"'))
        seeded = await seed_two_tenants(admin)
        assert seeded, "a service with tenant tables"
        yield service, roles, seeded
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await admin.dispose()
        await drop_roles(stack.database_url, name)


async def test_two_roles_become_three_and_only_the_third_crosses_tenants(
    stack: StackUnderTest, installed: Installed
) -> None:
    service, old, seeded = installed
    name = old.schema
    with pytest.raises(RuntimeError, match=f"{old.across} does not exist: run `python -m claimstream_platform"):
        await asyncio.to_thread(migrate.upgrade, old.owner_url, schema=name, script_location=service.migrations)
    roles = await ensure_roles(stack.database_url, name, service.package)  # what the installation runs first
    await asyncio.to_thread(migrate.upgrade, roles.owner_url, schema=name, script_location=service.migrations)
    app, across = (create_engine(url, schema=name, connections=2) for url in (roles.app_url, roles.across_url))
    try:
        for table in seeded:
            assert await _seen(across, table, ACROSS_TENANTS, setting=False) == {A, B}, table
            assert await _seen(app, table, Tenancy.of(A), setting=True) == {A}, table
    finally:
        await app.dispose()
        await across.dispose()


async def _seen(engine: AsyncEngine, table: str, tenancy: Tenancy, *, setting: bool) -> set[Any]:
    """The tenants of `table`'s rows the engine's role sees, after every row was touched (the role may write it),
    with `claimstream.all_tenants` set as the release before read it, or not."""
    async with UnitOfWork(sessions(engine), tenancy) as uow:
        if setting:
            await uow.session.execute(text("SELECT set_config('claimstream.all_tenants', 'on', true)"))
        await uow.session.execute(text(f'UPDATE "{table}" SET tenant_id = tenant_id'))
        return set((await uow.session.execute(text(f'SELECT tenant_id FROM "{table}"'))).scalars())


def _before_across(service: Service[Any]) -> str:
    """The revision the across-tenants role's migration follows, in the service's tree."""
    scripts = ScriptDirectory(str(service.migrations))
    (across,) = [r for r in scripts.walk_revisions() if str(r.module.__file__).endswith("_across_tenants_role.py")]
    return str(across.down_revision)


def _upgrade_to(url: str, schema: str, location: Path, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(location))
    config.attributes["database_url"] = url
    config.attributes["schema"] = schema
    command.upgrade(config, revision)
