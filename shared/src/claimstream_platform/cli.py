"""The `claimstream` command: tenant administration, the local stack, and contract export.

    claimstream admin create-tenant NAME               prints the new tenant's id
    claimstream admin issue-token --tenant ID [--practice ID ...] [--days N] [--role operator]
                                                       prints a bearer token
    claimstream dev up                                 the whole local stack (what `make run` runs)
    claimstream contracts export DIR                   JSON Schemas and the AsyncAPI document

The admin commands read DATABASE_URL and CLAIMSTREAM_SIGNING_KEY_FILE from the environment. Without them they
work against the local stack that `make run` started from this checkout: its database (the password is kept in
.data/run/postgres/password) and its signing key (.data/run/keys/signing.pem).
"""

import argparse
import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from claimstream_platform import migrate, tenants
from claimstream_platform.auth import TokenIssuer
from claimstream_platform.db import create_engine

if TYPE_CHECKING:
    from claimstream_platform.devstack.stack import Profile


def _local_profile() -> "Profile":
    """The local stack's profile (`run`; the tests name theirs with CLAIMSTREAM_PROFILE)."""
    from claimstream_platform.devstack.stack import PROFILES  # a development checkout only

    return PROFILES[os.environ.get("CLAIMSTREAM_PROFILE", "run")]


def _database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from claimstream_platform.devstack.postgres import PostgresServer

    profile = _local_profile()
    server = PostgresServer(profile.data_dir / "postgres", profile.postgres_port)
    if not server.password_file.exists():
        raise SystemExit("claimstream: DATABASE_URL is not set and no local stack was found: start one with `make run`")
    return server.url()


def _signing_key_file() -> Path:
    if os.environ.get("CLAIMSTREAM_SIGNING_KEY_FILE"):
        return Path(os.environ["CLAIMSTREAM_SIGNING_KEY_FILE"])
    key = _local_profile().data_dir / "keys" / "signing.pem"
    if not key.exists():
        raise SystemExit(
            "claimstream: CLAIMSTREAM_SIGNING_KEY_FILE is not set and the local stack has no signing key: "
            "start it with `make run`"
        )
    return key


async def _create_tenant(name: str) -> UUID:
    url = _database_url()
    await asyncio.to_thread(migrate.upgrade, url, schema=tenants.SCHEMA, script_location=tenants.MIGRATIONS)
    engine = create_engine(url, schema=tenants.SCHEMA, pool_size=1)
    try:
        if await tenants.find_tenant(engine, name=name):
            raise SystemExit(f"claimstream: a tenant named {name!r} exists already")
        return await tenants.create_tenant(engine, name)
    finally:
        await engine.dispose()


async def _issue_token(tenant_id: UUID, practice_ids: list[UUID] | None, days: int, roles: list[str]) -> str:
    issuer = TokenIssuer.from_file(_signing_key_file())
    engine = create_engine(_database_url(), schema=tenants.SCHEMA, pool_size=1)
    try:
        if await tenants.find_tenant(engine, tenant_id=tenant_id) is None:
            raise SystemExit(f"claimstream: no tenant {tenant_id}")
    finally:
        await engine.dispose()
    return issuer.issue(tenant_id=tenant_id, practice_ids=practice_ids, lifetime=timedelta(days=days), roles=roles)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimstream", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    groups = parser.add_subparsers(dest="group", required=True)
    admin = groups.add_parser("admin").add_subparsers(dest="command", required=True)
    create = admin.add_parser("create-tenant", help="create a tenant (a billing company)")
    create.add_argument("name")
    token = admin.add_parser("issue-token", help="issue a bearer token for a tenant")
    token.add_argument("--tenant", type=UUID, required=True)
    token.add_argument("--practice", type=UUID, action="append", help="limit to this practice (repeatable)")
    token.add_argument("--days", type=int, default=30)
    token.add_argument("--role", choices=["operator"], action="append", default=[], help="grant a role (repeatable)")
    dev = groups.add_parser("dev").add_subparsers(dest="command", required=True)
    dev.add_parser("up", help="run Kafka, PostgreSQL and every service until Ctrl-C")
    contracts = groups.add_parser("contracts").add_subparsers(dest="command", required=True)
    export = contracts.add_parser("export", help="write JSON Schemas and asyncapi.yaml")
    export.add_argument("folder", type=Path)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.group == "admin" and args.command == "create-tenant":
        print(asyncio.run(_create_tenant(args.name)))
    elif args.group == "admin" and args.command == "issue-token":
        print(asyncio.run(_issue_token(args.tenant, args.practice, args.days, args.role)))
    elif args.group == "dev":
        from claimstream_platform.devstack.run import run_stack

        sys.exit(run_stack())
    elif args.group == "contracts":
        from claimstream_platform.contracts.export import export

        for path in export(args.folder):
            print(path)


if __name__ == "__main__":
    main()
