"""`python -m identity <command>`: what an installation's operator runs beside the service.

    create-admin --tenant ID --email E --name N   a tenant's first administrator; prints their invitation code
    create-operator --email E --name N           an installation operator; prints their invitation code
    verify-audit [--tenant ID]                   walks the access log's chains with the audit key ring
                                                 (IDENTITY_AUDIT_KEY_FILE); exit 1 at the first broken row

Nobody types a password here: the person accepts the printed code with one (`POST /v1/invitations/accept`).
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
from claimstream_platform.db import SessionFactory, create_engine
from claimstream_platform.errors import RuleViolation

from identity import handlers
from identity.audit_keys import AuditRing
from identity.chain import Walk
from identity.domain import SYSTEM
from identity.repository import IdentityWork

if TYPE_CHECKING:
    from identity.service import IdentitySettings

T = TypeVar("T")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _options(command: str, *arguments: tuple[str, type, bool]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m identity {command}")
    for name, kind, required in arguments:
        parser.add_argument(f"--{name}", type=kind, required=required)
    return parser.parse_args(sys.argv[2:])


async def _in_work(settings: "IdentitySettings", work: Callable[[IdentityWork], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url.get_secret_value(), schema=settings.database_schema, pool_size=1)
    try:
        async with IdentityWork(SessionFactory(engine, expire_on_commit=False)) as uow:
            result = await work(uow)
            await uow.commit()
            return result
    finally:
        await engine.dispose()


async def _tenant_exists(settings: "IdentitySettings", tenant_id: UUID) -> bool:
    engine = create_engine(settings.database_url.get_secret_value(), schema=tenants.SCHEMA, pool_size=1)
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
