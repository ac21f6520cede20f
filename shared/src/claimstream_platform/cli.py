"""The `claimstream` command: tenant administration.

    claimstream admin create-tenant NAME               prints the new tenant's id
    claimstream admin issue-token --tenant ID [--practice ID ...] [--days N] [--role operator]
                                                       prints a bearer token
    claimstream admin rate-limit --tenant ID --class C --tenant-budget N --client-budget N [--window S] | --clear
                                                       a tenant's request budget (limits/admin.py)

It reads DATABASE_URL and CLAIMSTREAM_SIGNING_KEY_FILE from the environment. Beside the local stack that
`make run` started, `claimstream-dev admin ...` (the development tools) finds both there and runs this command.
"""

import argparse
import asyncio
import os
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from claimstream_platform import migrate, tenants
from claimstream_platform.auth import TokenIssuer
from claimstream_platform.db import create_engine
from claimstream_platform.limits import admin as limits_admin

LOCAL_STACK_HINT = "beside `make run`, `.venv/bin/claimstream-dev admin ...` finds the local stack's"


def _database_url() -> str:
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit(f"claimstream: DATABASE_URL is not set ({LOCAL_STACK_HINT})")
    return os.environ["DATABASE_URL"]


def _signing_key_file() -> Path:
    if not os.environ.get("CLAIMSTREAM_SIGNING_KEY_FILE"):
        raise SystemExit(f"claimstream: CLAIMSTREAM_SIGNING_KEY_FILE is not set ({LOCAL_STACK_HINT})")
    return Path(os.environ["CLAIMSTREAM_SIGNING_KEY_FILE"])


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
    limits_admin.add_command(admin)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.group == "admin" and args.command == "create-tenant":
        print(asyncio.run(_create_tenant(args.name)))
    elif args.group == "admin" and args.command == "issue-token":
        print(asyncio.run(_issue_token(args.tenant, args.practice, args.days, args.role)))
    elif args.group == "admin" and args.command == limits_admin.COMMAND:
        print(limits_admin.run(args, _database_url()))


if __name__ == "__main__":
    main()
