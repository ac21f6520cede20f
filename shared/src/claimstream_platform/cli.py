"""The `claimstream` command: tenant administration and the tokens of integrations and of bootstrap.

    claimstream admin create-tenant NAME               prints the new tenant's id
    claimstream admin issue-token --tenant ID --subject NAME --role ROLE [--role ROLE ...]
                                  [--kind integration|person] [--practice ID ...] [--lifetime 30d|8h|45m]
                                                       prints a tenant's bearer token
    claimstream admin issue-operator-token --subject NAME [--lifetime 1h]
                                                       prints an installation operator's bearer token

A tenant token carries tenant roles only (tenant-admin, biller, front-desk, ehr-integration, read-only, auditor);
an installation operator's token has its own issuer and audience and no tenant. Lifetimes are capped by kind: an
hour for a person and an operator, 90 days for an integration (docs/security.md). People's tokens will come from
signing in; this command stays for integrations and for the first admin.
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
from claimstream_platform.auth import Kind, LifetimeCaps, Role, TokenIssuer
from claimstream_platform.db import create_engine
from claimstream_platform.limits import admin as limits_admin

DEFAULT_LIFETIME = {
    Kind.INTEGRATION: timedelta(days=30),
    Kind.PERSON: timedelta(hours=1),
    Kind.OPERATOR: timedelta(hours=1),
}
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


async def _issue_token(args: argparse.Namespace) -> str:
    issuer = _issuer()
    kind = Kind(args.kind)
    lifetime = args.lifetime or DEFAULT_LIFETIME[kind]
    _within_cap(issuer, kind, lifetime)
    engine = create_engine(_database_url(), schema=tenants.SCHEMA, pool_size=1)
    try:
        if await tenants.find_tenant(engine, tenant_id=args.tenant) is None:
            raise SystemExit(f"claimstream: no tenant {args.tenant}")
    finally:
        await engine.dispose()
    return issuer.issue(
        tenant_id=args.tenant,
        practice_ids=args.practice,
        subject=args.subject,
        lifetime=lifetime,
        roles=args.role,
        kind=kind,
    )


def _issue_operator_token(args: argparse.Namespace) -> str:
    issuer = _issuer()
    lifetime = args.lifetime or DEFAULT_LIFETIME[Kind.OPERATOR]
    _within_cap(issuer, Kind.OPERATOR, lifetime)
    return issuer.issue_operator(subject=args.subject, lifetime=lifetime)


def _issuer() -> TokenIssuer:
    """The installation's issuer, with the integration cap its services verify (INTEGRATION_TOKEN_MAX_DAYS)."""
    days = int(os.environ.get("INTEGRATION_TOKEN_MAX_DAYS") or 90)
    return TokenIssuer.from_file(_signing_key_file(), caps=LifetimeCaps(integration=timedelta(days=days)))


def _within_cap(issuer: TokenIssuer, kind: Kind, lifetime: timedelta) -> None:
    if lifetime > issuer.caps.of(kind):
        raise SystemExit(f"claimstream: a {kind} token lives at most {issuer.caps.of(kind)}")


def _lifetime(text: str) -> timedelta:
    """`30d`, `8h` or `45m`."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError("a lifetime is a whole number of days, hours or minutes: 30d, 8h, 45m")
    return timedelta(**{units[unit]: int(number)})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimstream", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    groups = parser.add_subparsers(dest="group", required=True)
    admin = groups.add_parser("admin").add_subparsers(dest="command", required=True)
    create = admin.add_parser("create-tenant", help="create a tenant (a billing company)")
    create.add_argument("name")
    token = admin.add_parser("issue-token", help="issue a bearer token for a tenant's integration or person")
    token.add_argument("--tenant", type=UUID, required=True)
    token.add_argument("--subject", required=True, help="who holds it, unique: integration:athena, person:rosa")
    roles = sorted(str(role) for role in Role)
    token.add_argument("--role", choices=roles, action="append", required=True, help="grant a role (repeatable)")
    token.add_argument("--kind", choices=[str(Kind.INTEGRATION), str(Kind.PERSON)], default=str(Kind.INTEGRATION))
    token.add_argument("--practice", type=UUID, action="append", help="limit to this practice (repeatable)")
    token.add_argument("--lifetime", type=_lifetime, help="30d, 8h, 45m (default: 30d, a person's 1h)")
    operator = admin.add_parser("issue-operator-token", help="issue a bearer token for an installation operator")
    operator.add_argument("--subject", required=True, help="who holds it, unique: operator:ana")
    operator.add_argument("--lifetime", type=_lifetime, help="at most 1h (the default)")
    limits_admin.add_command(admin)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.group == "admin" and args.command == "create-tenant":
        print(asyncio.run(_create_tenant(args.name)))
    elif args.group == "admin" and args.command == "issue-token":
        print(asyncio.run(_issue_token(args)))
    elif args.group == "admin" and args.command == "issue-operator-token":
        print(_issue_operator_token(args))
    elif args.group == "admin" and args.command == limits_admin.COMMAND:
        print(limits_admin.run(args, _database_url()))


if __name__ == "__main__":
    main()
