"""The `claimstream` command: tenant administration.

    claimstream admin create-tenant NAME               prints the new tenant's id
    claimstream admin rate-limit --tenant ID --class C --tenant-budget N --client-budget N [--window S] | --clear
                                                       a tenant's request budget (limits/admin.py)

It mints no tokens: the identity service alone holds the signing key. A tenant's first administrator is invited
with `python -m identity create-admin`, an operator with `create-operator`, and an integration's token is issued
with `python -m identity issue-integration` (or by the tenant's administrator through identity's API), each one
recorded so that it can be revoked (docs/identity.md).

It reads DATABASE_URL from the environment. Beside the local stack that `make run` started,
`claimstream-dev admin ...` (the development tools) finds it there and runs this command.
"""

import argparse
import asyncio
import os
from uuid import UUID

from claimstream_platform import migrate, tenants
from claimstream_platform.engines import create_engine
from claimstream_platform.limits import admin as limits_admin

LOCAL_STACK_HINT = "beside `make run`, `.venv/bin/claimstream-dev admin ...` finds the local stack's"


def _database_url() -> str:
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit(f"claimstream: DATABASE_URL is not set ({LOCAL_STACK_HINT})")
    return os.environ["DATABASE_URL"]


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimstream", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    groups = parser.add_subparsers(dest="group", required=True)
    admin = groups.add_parser("admin").add_subparsers(dest="command", required=True)
    create = admin.add_parser("create-tenant", help="create a tenant (a billing company)")
    create.add_argument("name")
    limits_admin.add_command(admin)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.group == "admin" and args.command == "create-tenant":
        print(asyncio.run(_create_tenant(args.name)))
    elif args.group == "admin" and args.command == limits_admin.COMMAND:
        print(limits_admin.run(args, _database_url()))


if __name__ == "__main__":
    main()
