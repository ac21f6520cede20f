"""The `claimstream` command: tenant administration, and the dead letters.

    claimstream admin create-tenant NAME [--id ID]     prints the new tenant's id (with --id: made once)
    claimstream admin rate-limit --tenant ID --class C --tenant-budget N --client-budget N [--window S] | --clear
                                                       a tenant's request budget (limits/admin.py)
    claimstream dlq list [--topic T] [--consumer GROUP] [--letters]
                                                       the dead letters per topic, by reason (no payload)
    claimstream dlq show --topic T.dlq (--partition P --offset N | --event-id ID) [--payload]
                                                       one letter: headers, reason, payload keys (values: PHI)
    claimstream dlq redrive --topic T.dlq [--consumer GROUP] [--kind K] [--event-id ID ...] [--again] [--dry-run]
                                                       the events back to their topic after a fix (dlq_admin.py)
    claimstream outbox list --schema S                 a service's quarantined outbox rows (no payload)
    claimstream outbox release --schema S (--seq N ... | --all)
                                                       publish them again once the cause is fixed (outbox_admin.py)

It mints no tokens: the identity service alone holds the signing key. A tenant's first administrator is invited
with `python -m identity create-admin`, an operator with `create-operator`, and an integration's token is issued
with `python -m identity issue-integration` (or by the tenant's administrator through identity's API), each one
recorded so that it can be revoked (docs/identity.md).

`admin` and `outbox` read DATABASE_URL from the environment, `dlq` KAFKA_BOOTSTRAP_SERVERS. Beside the local stack that
`make run` started, `claimstream-dev admin ...` and `claimstream-dev dlq ...` (the development tools) find them there
and run this command.
"""

import argparse
import asyncio
import os
from uuid import UUID

from claimstream_platform import dlq_admin, migrate, outbox_admin, tenants
from claimstream_platform.engines import create_engine
from claimstream_platform.limits import admin as limits_admin
from claimstream_platform.transport import kafka_transport_from_environment, use_kafka_transport

LOCAL_STACK_HINT = "beside `make run`, `.venv/bin/claimstream-dev {} ...` finds the local stack's"


def _setting(name: str, local_command: str) -> str:
    if not os.environ.get(name):
        raise SystemExit(f"claimstream: {name} is not set ({LOCAL_STACK_HINT.format(local_command)})")
    return os.environ[name]


def _database_url() -> str:
    return _setting("DATABASE_URL", "admin")


async def _create_tenant(name: str, tenant_id: UUID | None) -> UUID:
    """A new tenant; with its id given, made once: run again, it finds the tenant it made (a deployment's Job)."""
    url = _database_url()
    await asyncio.to_thread(migrate.upgrade, url, schema=tenants.SCHEMA, script_location=tenants.MIGRATIONS)
    engine = create_engine(url, schema=tenants.SCHEMA, connections=2)
    try:
        if tenant_id and await tenants.find_tenant(engine, tenant_id=tenant_id):
            if await tenants.find_tenant(engine, name=name) != tenant_id:
                raise SystemExit(f"claimstream: tenant {tenant_id} exists under another name")
            return tenant_id
        if await tenants.find_tenant(engine, name=name):
            raise SystemExit(f"claimstream: a tenant named {name!r} exists already")
        return await tenants.create_tenant(engine, name, tenant_id)
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
    create.add_argument("--id", type=UUID, help="its id: made once, found when run again")
    limits_admin.add_command(admin)
    dlq_admin.add_commands(groups)
    outbox_admin.add_commands(groups)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.group == "admin" and args.command == "create-tenant":
        print(asyncio.run(_create_tenant(args.name, args.id)))
    elif args.group == "admin" and args.command == limits_admin.COMMAND:
        print(limits_admin.run(args, _database_url()))
    elif args.group == dlq_admin.GROUP:
        use_kafka_transport(kafka_transport_from_environment())  # a cluster's brokers take TLS and a login only
        print(dlq_admin.run(args, _setting("KAFKA_BOOTSTRAP_SERVERS", "dlq")))
    elif args.group == outbox_admin.GROUP:
        print(outbox_admin.run(args, _database_url()))


if __name__ == "__main__":
    main()
