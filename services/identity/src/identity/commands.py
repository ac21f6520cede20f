"""`python -m identity <command>`: what an installation's operator runs beside the service.

    create-admin --tenant ID --email E --name N   a tenant's first administrator; prints their invitation code
    create-operator --email E --name N           an installation operator; prints their invitation code
    issue-integration --tenant ID --name N --role R [--role R ...] [--practice ID ...] [--days 30]
                                                 a token for the tenant's integration of that name (made if new);
                                                 prints the token alone (what was issued goes to stderr)
    verify-audit [--tenant ID]                   walks the access log's chains with the audit key ring
                                                 (IDENTITY_AUDIT_KEY_FILE); exit 1 at the first broken row

Nobody types a password here: the person accepts the printed code with one (`POST /v1/invitations/accept`). An
integration's token is recorded as one its administrator issued: the integration is in `GET /v1/users`, and the
token is revoked with `POST /v1/integrations/{id}/tokens/{jti}/revoke` (or every one of it by disabling it).
Each command reads its own options from the command line and the service's settings from the environment.
"""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from claimstream_platform import tenants
from claimstream_platform.auth import Role
from claimstream_platform.db import SessionFactory
from claimstream_platform.engines import create_engine
from claimstream_platform.errors import RuleViolation

from identity import handlers
from identity.audit_keys import AuditRing
from identity.chain import Walk
from identity.credentials import Issued, Signer
from identity.domain import SYSTEM, Account
from identity.repository import IdentityWork

if TYPE_CHECKING:
    from identity.service import IdentitySettings

T = TypeVar("T")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def complain(line: str) -> int:
    """A refusal, on stderr: stdout carries only what a script keeps (a token)."""
    sys.stderr.write(line + "\n")
    return 1


def _options(command: str, *arguments: tuple[str, type, bool]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m identity {command}")
    for name, kind, required in arguments:
        parser.add_argument(f"--{name}", type=kind, required=required)
    return parser.parse_args(sys.argv[2:])


async def _in_work(settings: "IdentitySettings", work: Callable[[IdentityWork], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url.get_secret_value(), schema=settings.database_schema, connections=2)
    try:
        async with IdentityWork(SessionFactory(engine, expire_on_commit=False)) as uow:
            result = await work(uow)
            await uow.commit()
            return result
    finally:
        await engine.dispose()


async def _tenant_exists(settings: "IdentitySettings", tenant_id: UUID) -> bool:
    engine = create_engine(settings.database_url.get_secret_value(), schema=tenants.SCHEMA, connections=2)
    try:
        return await tenants.find_tenant(engine, tenant_id=tenant_id) is not None
    finally:
        await engine.dispose()


def create_admin(settings: "IdentitySettings") -> int:
    options = _options("create-admin", ("tenant", UUID, True), ("email", str, True), ("name", str, True))
    if not asyncio.run(_tenant_exists(settings, options.tenant)):
        say(f"identity: no tenant {options.tenant} (claimstream admin create-tenant NAME)")
        return 1
    access = handlers.Access(frozenset({str(Role.TENANT_ADMIN)}), None)

    async def work(uow: IdentityWork) -> handlers.Invitation:
        return await handlers.invite(uow, options.tenant, options.email, options.name, access, SYSTEM)

    return _invited(settings, work)


def create_operator(settings: "IdentitySettings") -> int:
    options = _options("create-operator", ("email", str, True), ("name", str, True))
    access = handlers.Access(frozenset(), None)

    async def work(uow: IdentityWork) -> handlers.Invitation:
        return await handlers.invite(uow, None, options.email, options.name, access, SYSTEM)

    return _invited(settings, work)


def _invited(settings: "IdentitySettings", work: Callable[[IdentityWork], Awaitable[handlers.Invitation]]) -> int:
    try:
        return _print_code(asyncio.run(_in_work(settings, work)))
    except RuleViolation as refused:
        say(f"identity: {refused.detail}")
        return 1


def _print_code(invitation: handlers.Invitation) -> int:
    say(f"account     {invitation.account.subject}")
    say(f"invitation  {invitation.code}")
    say(f"expires     {invitation.expires_at:%Y-%m-%d %H:%M} UTC (accept with POST /v1/invitations/accept)")
    return 0


def issue_integration(settings: "IdentitySettings") -> int:
    parser = argparse.ArgumentParser(prog="python -m identity issue-integration")
    parser.add_argument("--tenant", type=UUID, required=True)
    parser.add_argument("--name", required=True, help="the integration's name in its tenant: EHR feed")
    roles = sorted(str(role) for role in Role)
    parser.add_argument("--role", choices=roles, action="append", required=True, help="grant a role (repeatable)")
    parser.add_argument("--practice", type=UUID, action="append", help="limit to this practice (repeatable)")
    parser.add_argument("--days", type=_days, default=30, help="the token's lifetime (default 30, at most the cap)")
    options = parser.parse_args(sys.argv[2:])
    if not asyncio.run(_tenant_exists(settings, options.tenant)):
        return complain(f"identity: no tenant {options.tenant} (claimstream admin create-tenant NAME)")
    access = handlers.Access(frozenset(options.role), frozenset(options.practice) if options.practice else None)
    signer = Signer.from_settings(settings)

    async def work(uow: IdentityWork) -> tuple[Account, Issued]:
        account = await handlers.integration_named(uow, options.tenant, options.name, access, SYSTEM)
        return account, await handlers.issue_token(uow, signer, options.tenant, account.id, options.days, SYSTEM)

    try:
        account, issued = asyncio.run(_in_work(settings, work))
    except RuleViolation as refused:
        return complain(f"identity: {refused.detail}")
    sys.stderr.write(
        f"integration {account.id} ({account.name}), token {issued.jti} until {issued.expires_at:%Y-%m-%d %H:%M} UTC;"
        f" revoke: POST /v1/integrations/{account.id}/tokens/{issued.jti}/revoke\n"
    )
    say(issued.token)
    return 0


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a whole number of days, at least 1")
    return int(text)


def verify_audit(settings: "IdentitySettings") -> int:
    """Every chain (or one tenant's, or the installation's with `--tenant 00000000-0000-0000-0000-000000000000`),
    row by row, with the audit key ring; the first row that does not hold is named, exit status 1."""
    options = _options("verify-audit", ("tenant", UUID, False))
    try:
        ring = AuditRing.from_file(settings.identity_audit_key_file)
    except (OSError, ValueError) as unreadable:
        say(f"identity: {unreadable}")
        return 2

    async def work(uow: IdentityWork) -> int:
        found = await verified(uow, ring, options.tenant)
        if found.broken is not None:
            b = found.broken
            say(f"access log broken: chain {b.tenant_id}, row {b.seq}: {b.reason}")
            return 1
        keys = ", ".join(f"{key_id} {count}" for key_id, count in sorted(found.by_key.items()))
        say(f"access log intact: {found.rows} rows in {found.tenants} chains (rows per key: {keys or 'none'})")
        return 0

    return asyncio.run(_in_work(settings, work))


async def verified(uow: IdentityWork, ring: AuditRing, tenant_id: UUID | None = None) -> Walk:
    """The walk along the chains, row by row, stopped at the first break."""
    found = Walk(ring)
    async for row in uow.access_log.walk(tenant_id):
        if not found.step(row):
            break
    return found
