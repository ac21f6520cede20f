"""PostgreSQL roles of a service: an owner, which owns its schema and runs its migrations; an app role, which its
processes connect as for a tenant's work; and an across-tenants role, which they connect as for the few paths that
cross tenants (loops' sweeps, installation operators' requests, the outbox relay). The app and across roles own
nothing, are no superusers, cannot bypass row-level security, cannot create anything, and read and write their
service's tables (and read the `platform` schema) by grants alone; they differ in one thing, the row-level
security policy that names the across role (`claimstream_platform.migrate.wall_table`): only it sees every
tenant's rows.

    python -m claimstream_platform.database_roles SCHEMA [SCHEMA ...]

run with DATABASE_URL set to a superuser's (an installation's administrator) creates the three roles of each
schema (`<schema>_owner`, `<schema>_app`, `<schema>_across`), or gives existing ones fresh passwords, hands the
schema and its tables to the owner, grants the app and across roles their rights, and prints each service's
MIGRATION_DATABASE_URL, DATABASE_URL and ACROSS_TENANTS_DATABASE_URL. Passwords are generated here, never chosen
or defaulted; run it again to rotate them. With `--existing`, the roles are an operator's (CloudNativePG's managed
roles keep their passwords in Secrets): it only checks each has no power beyond a login and grants. The SQL it runs
is in docs/security.md for an installation that keeps its roles elsewhere.
"""

import argparse
import asyncio
import os
import re
import secrets
import sys
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from claimstream_platform.engines import one_off_engine
from claimstream_platform.limits import store as limits

PLATFORM_SCHEMA = "platform"
# No superuser, no role or database creation, no replication, no bypass of row-level security, and no rights
# inherited from other roles: what a role may do is what its grants say.
_ROLE_OPTIONS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"


@dataclass(frozen=True)
class ServiceRoles:
    schema: str
    owner_url: str
    app_url: str
    across_url: str

    @property
    def owner(self) -> str:
        return owner_role(self.schema)

    @property
    def app(self) -> str:
        return app_role(self.schema)

    @property
    def across(self) -> str:
        return across_role(self.schema)


def owner_role(schema: str) -> str:
    return f"{schema}_owner"


def app_role(schema: str) -> str:
    return f"{schema}_app"


def across_role(schema: str) -> str:
    """The role a service's processes cross tenants as: the one role its schema's `across_tenants` policy names."""
    return f"{schema}_across"


def users(schema: str) -> tuple[str, str]:
    """The roles a service's processes connect as, which are granted alike: the app role and the across role."""
    return app_role(schema), across_role(schema)


def _name(identifier: str) -> str:
    if not identifier.replace("_", "").isalnum() or len(identifier) > 63:
        raise ValueError(f"not a plain PostgreSQL name: {identifier!r}")
    return f'"{identifier}"'


def grant_statements(schema: str) -> list[str]:
    """What the owner, the app role and the across role of `schema` are given. Their rights on each table come from
    the owner's default privileges as its migrations create them, so a migration may take some back for good
    (`claimstream_platform.migrate.revoke_from_app`: an append-only table) and a second run here keeps that."""
    s, owner = _name(schema), _name(owner_role(schema))
    statements = [f"CREATE SCHEMA IF NOT EXISTS {s} AUTHORIZATION {owner}", f"ALTER SCHEMA {s} OWNER TO {owner}"]
    for user in map(_name, users(schema)):
        statements += [
            f"GRANT USAGE ON SCHEMA {s} TO {user}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT {_TABLE_RIGHTS} ON TABLES TO {user}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {user}",
        ]
    return statements


_TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


# The platform's tables a service (by package) writes besides reading: charge capture registers each practice.
PLATFORM_WRITERS = {"charge_capture": ("practices",)}


def platform_statements(schema: str, package: str | None = None) -> list[str]:
    """The platform's own schema (tenants, and what the platform adds there) is read by every app and across role,
    and written only where `PLATFORM_WRITERS` says, by those and by the owner (whose migration registers what was
    there before)."""
    p = _name(PLATFORM_SCHEMA)
    statements = []
    for role in map(_name, (*users(schema), owner_role(schema))):
        statements += [
            f"GRANT USAGE ON SCHEMA {p} TO {role}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {p} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {p} GRANT SELECT ON TABLES TO {role}",
            *(f"GRANT INSERT ON {p}.{_name(t)} TO {role}" for t in PLATFORM_WRITERS.get(package or schema, ())),
        ]
    return statements


_KEPT_PASSWORD = re.compile(r"[A-Za-z0-9_-]{16,}")  # what `_set_role` makes: no quote can end the literal below


async def _set_role(connection: AsyncConnection, role: str, kept: str | None = None) -> str:
    if kept is not None and not _KEPT_PASSWORD.fullmatch(kept):
        raise ValueError(f"database_roles: the password kept for {role} is not one this module made")
    password = kept or secrets.token_urlsafe(24)  # URL-safe
    exists = await connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role})
    verb = "ALTER" if exists else "CREATE"
    await connection.execute(text(f"{verb} ROLE {_name(role)} WITH {_ROLE_OPTIONS} PASSWORD '{password}'"))
    return password


_OWNED_ELSEWHERE = text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) <> :owner"
)


async def _take_over(connection: AsyncConnection, schema: str) -> None:
    """Tables made before the roles existed (an installation that ran as one role) go to the owner, with the app and
    across roles' rights on them."""
    owner = owner_role(schema)
    found = await connection.execute(_OWNED_ELSEWHERE, {"schema": schema, "owner": owner})
    for (table,) in found.all():
        qualified = f"{_name(schema)}.{_name(table)}"
        await connection.execute(text(f"ALTER TABLE {qualified} OWNER TO {_name(owner)}"))
        for user in map(_name, users(schema)):
            await connection.execute(text(f"GRANT {_TABLE_RIGHTS} ON {qualified} TO {user}"))
    for user in map(_name, users(schema)):
        await connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_name(schema)} TO {user}"))


_APP_RIGHTS = text(
    "SELECT c.relname, string_agg(a.privilege_type, ', ') FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm') AND a.grantee = to_regrole(:app)"
    " GROUP BY c.relname"
)


async def _across_as_app(connection: AsyncConnection, schema: str) -> None:
    """The across role gets, on the tables already there, what the app role has on each: an installation that
    had two roles gains the third with the same rights (an append-only table stays so for it too)."""
    rights = await connection.execute(_APP_RIGHTS, {"schema": schema, "app": app_role(schema)})
    for table, privileges in rights.all():
        await connection.execute(
            text(f"GRANT {privileges} ON {_name(schema)}.{_name(table)} TO {_name(across_role(schema))}")
        )


async def _grant(connection: AsyncConnection, schema: str, database: str, package: str | None) -> None:
    # The owner may create a schema: the projection's rebuild builds a fresh one beside its live one.
    await connection.execute(
        text(f"GRANT CONNECT, CREATE ON DATABASE {_name(database)} TO {_name(owner_role(schema))}")
    )
    for user in map(_name, users(schema)):
        await connection.execute(text(f"GRANT CONNECT ON DATABASE {_name(database)} TO {user}"))
    for statement in grant_statements(schema):
        await connection.execute(text(statement))
    await _take_over(connection, schema)
    await _across_as_app(connection, schema)
    if await connection.scalar(text("SELECT to_regnamespace(:p)"), {"p": PLATFORM_SCHEMA}) is not None:
        for statement in platform_statements(schema, package):
            await connection.execute(text(statement))
    if await connection.scalar(text("SELECT to_regnamespace(:p)"), {"p": limits.SCHEMA}) is not None:
        for statement in limits.grant_statements(app_role(schema)):  # the API's rate limiter counts as the app role
            await connection.execute(text(statement))


async def ensure_roles(
    admin_url: str, schema: str, package: str | None = None, *, kept: dict[str, str] | None = None
) -> ServiceRoles:
    """Create (or refresh the passwords of) the roles of `schema`; their URLs, on the admin URL's server. A role
    named in `kept` keeps that password (one this module made before: `single_host` runs at every start)."""
    url = make_url(admin_url)
    engine = one_off_engine(admin_url)
    kept = kept or {}
    try:
        async with engine.begin() as connection:
            roles = (owner_role(schema), *users(schema))
            passwords = [await _set_role(connection, role, kept.get(role)) for role in roles]
            await _grant(connection, schema, str(url.database), package)
    finally:
        await engine.dispose()
    owner, app, across = (
        url.set(username=role, password=password).render_as_string(hide_password=False)
        for role, password in zip((owner_role(schema), *users(schema)), passwords, strict=True)
    )
    return ServiceRoles(schema, owner_url=owner, app_url=app, across_url=across)


async def grant_existing_roles(admin_url: str, schema: str, package: str | None = None) -> None:
    """The grants of `schema`'s three roles, which an operator made and keeps the passwords of (CloudNativePG's
    managed roles: docs/deploy.md); refused unless each exists and has no power beyond a login."""
    engine = one_off_engine(admin_url)
    try:
        async with engine.begin() as connection:
            for role in (owner_role(schema), *users(schema)):
                found = (await connection.execute(_POWERS, {"role": role})).first()
                if found is None:
                    raise SystemExit(f"database_roles: role {role} does not exist: make it first")
                if any(found):
                    raise SystemExit(f"database_roles: role {role} may do more than log in (superuser, roles, RLS)")
            await _grant(connection, schema, str(make_url(admin_url).database), package)
    finally:
        await engine.dispose()


_POWERS = text(
    "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = :role"
)


async def drop_roles(admin_url: str, schema: str) -> None:
    """Drop the roles of `schema` and everything they own in this database (its schema among it)."""
    engine = one_off_engine(admin_url)
    try:
        async with engine.begin() as connection:
            for role in (*users(schema), owner_role(schema)):
                if await connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                    await connection.execute(text(f"DROP OWNED BY {_name(role)} CASCADE"))
                    await connection.execute(text(f"DROP ROLE {_name(role)}"))
    finally:
        await engine.dispose()


def platform_schemas(admin_url: str) -> None:
    """The platform's own schemas (tenants and practices; the rate limiter's store), migrated as the admin."""
    from claimstream_platform import migrate, tenants  # the one command that needs them: its import stays light

    migrate.upgrade(admin_url, schema=tenants.SCHEMA, script_location=tenants.MIGRATIONS)
    migrate.upgrade(admin_url, schema=limits.SCHEMA, script_location=limits.MIGRATIONS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m claimstream_platform.database_roles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("schemas", nargs="+", help="a service's schema (its package name)")
    parser.add_argument("--existing", action="store_true", help="the roles exist (an operator's): grant only")
    args = parser.parse_args(argv)
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        raise SystemExit("database_roles: set DATABASE_URL to an administrator's (a role that may create roles)")
    if args.existing:
        platform_schemas(admin_url)  # what `make run` makes first: the grants below give the roles their use
        for schema in args.schemas:
            asyncio.run(grant_existing_roles(admin_url, schema, schema))
        return
    for schema in args.schemas:
        roles = asyncio.run(ensure_roles(admin_url, schema))
        sys.stdout.write(
            f"# {schema}\nMIGRATION_DATABASE_URL={roles.owner_url}\nDATABASE_URL={roles.app_url}\n"
            f"ACROSS_TENANTS_DATABASE_URL={roles.across_url}\n"
        )


if __name__ == "__main__":
    main()
