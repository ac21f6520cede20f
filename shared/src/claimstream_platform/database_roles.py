"""PostgreSQL roles of a service: an owner, which owns its schema and runs its migrations, and an app role, which
its processes connect as. The app role owns nothing, is no superuser, cannot bypass row-level security, cannot
create anything, and reads and writes its service's tables (and reads the `platform` schema) by grants alone.

    python -m claimstream_platform.database_roles SCHEMA [SCHEMA ...]

run with DATABASE_URL set to a superuser's (an installation's administrator) creates the two roles of each
schema (`<schema>_owner`, `<schema>_app`), or gives existing ones fresh passwords, hands the schema and its
tables to the owner, grants the app role its rights, and prints each service's MIGRATION_DATABASE_URL and
DATABASE_URL. Passwords are generated here, never chosen or defaulted; run it again to rotate them. The SQL it
runs is in docs/security.md for an installation that keeps its roles elsewhere.
"""

import argparse
import asyncio
import os
import secrets
import sys
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

PLATFORM_SCHEMA = "platform"
# No superuser, no role or database creation, no replication, no bypass of row-level security, and no rights
# inherited from other roles: what a role may do is what its grants say.
_ROLE_OPTIONS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"


@dataclass(frozen=True)
class ServiceRoles:
    schema: str
    owner_url: str
    app_url: str

    @property
    def owner(self) -> str:
        return owner_role(self.schema)

    @property
    def app(self) -> str:
        return app_role(self.schema)


def owner_role(schema: str) -> str:
    return f"{schema}_owner"


def app_role(schema: str) -> str:
    return f"{schema}_app"


def _name(identifier: str) -> str:
    if not identifier.replace("_", "").isalnum() or len(identifier) > 63:
        raise ValueError(f"not a plain PostgreSQL name: {identifier!r}")
    return f'"{identifier}"'


def grant_statements(schema: str) -> list[str]:
    """What the owner and the app role of `schema` are given. The app role's rights on each table come from the
    owner's default privileges as its migrations create them, so a migration may take some back for good
    (`claimstream_platform.migrate.revoke_from_app`: an append-only table) and a second run here keeps that."""
    s, owner, app = _name(schema), _name(owner_role(schema)), _name(app_role(schema))
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s} AUTHORIZATION {owner}",
        f"ALTER SCHEMA {s} OWNER TO {owner}",
        f"GRANT USAGE ON SCHEMA {s} TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT {_TABLE_RIGHTS} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


_TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


# The platform's tables a service (by package) writes besides reading: charge capture registers each practice.
PLATFORM_WRITERS = {"charge_capture": ("practices",)}


def platform_statements(schema: str, package: str | None = None) -> list[str]:
    """The platform's own schema (tenants, and what the platform adds there) is read by every app role, and written
    only where `PLATFORM_WRITERS` says, by the app role and by the owner (whose migration registers what was there
    before)."""
    p = _name(PLATFORM_SCHEMA)
    statements = []
    for role in (_name(app_role(schema)), _name(owner_role(schema))):
        statements += [
            f"GRANT USAGE ON SCHEMA {p} TO {role}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {p} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {p} GRANT SELECT ON TABLES TO {role}",
            *(f"GRANT INSERT ON {p}.{_name(t)} TO {role}" for t in PLATFORM_WRITERS.get(package or schema, ())),
        ]
    return statements


async def _set_role(connection: AsyncConnection, role: str) -> str:
    password = secrets.token_urlsafe(24)  # URL-safe: no quote can end the literal below
    exists = await connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role})
    verb = "ALTER" if exists else "CREATE"
    await connection.execute(text(f"{verb} ROLE {_name(role)} WITH {_ROLE_OPTIONS} PASSWORD '{password}'"))
    return password


_OWNED_ELSEWHERE = text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) <> :owner"
)


async def _take_over(connection: AsyncConnection, schema: str) -> None:
    """Tables made before the roles existed (an installation that ran as one role) go to the owner, with the app
    role's rights on them."""
    owner, app = owner_role(schema), _name(app_role(schema))
    found = await connection.execute(_OWNED_ELSEWHERE, {"schema": schema, "owner": owner})
    for (table,) in found.all():
        qualified = f"{_name(schema)}.{_name(table)}"
        await connection.execute(text(f"ALTER TABLE {qualified} OWNER TO {_name(owner)}"))
        await connection.execute(text(f"GRANT {_TABLE_RIGHTS} ON {qualified} TO {app}"))
    await connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_name(schema)} TO {app}"))


async def _grant(connection: AsyncConnection, schema: str, database: str, package: str | None) -> None:
    owner, app = _name(owner_role(schema)), _name(app_role(schema))
    # The owner may create a schema: the projection's rebuild builds a fresh one beside its live one.
    await connection.execute(text(f"GRANT CONNECT, CREATE ON DATABASE {_name(database)} TO {owner}"))
    await connection.execute(text(f"GRANT CONNECT ON DATABASE {_name(database)} TO {app}"))
    for statement in grant_statements(schema):
        await connection.execute(text(statement))
    await _take_over(connection, schema)
    if await connection.scalar(text("SELECT to_regnamespace(:p)"), {"p": PLATFORM_SCHEMA}) is not None:
        for statement in platform_statements(schema, package):
            await connection.execute(text(statement))


async def ensure_roles(admin_url: str, schema: str, package: str | None = None) -> ServiceRoles:
    """Create (or refresh the passwords of) the roles of `schema`; their URLs, on the admin URL's server."""
    url = make_url(admin_url)
    engine = create_async_engine(admin_url)
    try:
        async with engine.begin() as connection:
            owner_password = await _set_role(connection, owner_role(schema))
            app_password = await _set_role(connection, app_role(schema))
            await _grant(connection, schema, str(url.database), package)
    finally:
        await engine.dispose()
    return ServiceRoles(
        schema,
        owner_url=url.set(username=owner_role(schema), password=owner_password).render_as_string(hide_password=False),
        app_url=url.set(username=app_role(schema), password=app_password).render_as_string(hide_password=False),
    )


async def drop_roles(admin_url: str, schema: str) -> None:
    """Drop the roles of `schema` and everything they own in this database (its schema among it)."""
    engine = create_async_engine(admin_url)
    try:
        async with engine.begin() as connection:
            for role in (app_role(schema), owner_role(schema)):
                if await connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                    await connection.execute(text(f"DROP OWNED BY {_name(role)} CASCADE"))
                    await connection.execute(text(f"DROP ROLE {_name(role)}"))
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m claimstream_platform.database_roles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("schemas", nargs="+", help="a service's schema (its package name)")
    args = parser.parse_args(argv)
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        raise SystemExit("database_roles: set DATABASE_URL to an administrator's (a role that may create roles)")
    for schema in args.schemas:
        roles = asyncio.run(ensure_roles(admin_url, schema))
        sys.stdout.write(f"# {schema}\nMIGRATION_DATABASE_URL={roles.owner_url}\nDATABASE_URL={roles.app_url}\n")


if __name__ == "__main__":
    main()
