"""A tenant administrator's commands (people invited, roles changed, accounts disabled, integrations and their
tokens), an invitation accepted, and the access log's consumer. Each change and its access-log row are committed
together (the runner or the consumer commits); a change that takes powers away revokes the tokens that carry them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from claimstream_platform import practices
from claimstream_platform.auth import Kind, Principal
from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.errors import NotFound, RuleViolation
from claimstream_platform.messaging.consumer import Delivery

from identity.audit_keys import AuditKey
from identity.credentials import Issued, Passwords, Signer
from identity.domain import INVITATION_LIFETIME, Account, Actor, invitation_hash, new_invitation_code
from identity.repository import IdentityWork
from identity.repository.tokens import IssuedToken


@dataclass(frozen=True)
class Access:
    """Roles and practices (None: every practice of the tenant) an account is given."""

    roles: frozenset[str]
    practice_ids: frozenset[UUID] | None


@dataclass(frozen=True)
class Invitation:
    account: Account
    code: str  # shown once, to the administrator who hands it over; we keep its hash
    expires_at: datetime


async def invite(
    uow: IdentityWork, tenant_id: UUID | None, email: str, name: str, access: Access, by: Actor
) -> Invitation:
    """A new person of the tenant (an operator without one) and the one-time code they accept it with."""
    if await uow.accounts.by_email(Kind.PERSON if tenant_id else Kind.OPERATOR, email):
        raise RuleViolation("an account with this email exists already", field="email")
    await _practices_of(uow, tenant_id, access)
    account = Account.invite(tenant_id, email, name, access.roles, access.practice_ids, by)
    await uow.accounts.add(account)
    invitation = await _invitation(uow, account)
    uow.publish_recorded(account)
    return invitation


async def reinvite(uow: IdentityWork, principal: Principal, account_id: UUID, by: Actor) -> Invitation:
    """A new code for a person who has not accepted yet (lost or expired); earlier codes stay single-use."""
    account = await _account(uow, principal.tenant_id, account_id, Kind.PERSON)
    if account.password_hash is not None:
        raise RuleViolation("this person accepted their invitation already", field="user_id")
    account.invitation_issued(by)
    invitation = await _invitation(uow, account)
    uow.publish_recorded(account)
    return invitation


async def _invitation(uow: IdentityWork, account: Account) -> Invitation:
    code, code_hash = new_invitation_code()
    expires_at = datetime.now(UTC) + INVITATION_LIFETIME
    await uow.invitations.add(code_hash, account, expires_at)
    return Invitation(account, code, expires_at)


async def accept(uow: IdentityWork, passwords: Passwords, code: str, password: str) -> Account:
    """The invitation used up and the password set; the same refusal for a code unknown, used or expired."""
    password_hash = await passwords.hash(password)
    account_id = await uow.invitations.take(invitation_hash(code), datetime.now(UTC))
    account = await uow.accounts.by_id(account_id) if account_id else None
    if account is None or account.disabled_at is not None:
        raise NotFound("no such invitation, or it was used or has expired", field="code")
    account.accept(password_hash)
    await uow.accounts.save(account)
    uow.publish_recorded(account)
    return account


async def create_integration(uow: IdentityWork, tenant_id: UUID, name: str, access: Access, by: Actor) -> Account:
    await _practices_of(uow, tenant_id, access)
    account = Account.integration(tenant_id, name, access.roles, access.practice_ids, by)
    await uow.accounts.add(account)
    uow.publish_recorded(account)
    return account


async def set_access(
    uow: IdentityWork, signer: Signer, principal: Principal, account_id: UUID, access: Access, by: Actor
) -> Account:
    """New roles and practices; the account's earlier tokens are revoked (they carry the old ones)."""
    account = await _account(uow, principal.tenant_id, account_id)
    await _practices_of(uow, principal.tenant_id, access)
    account.set_access(access.roles, access.practice_ids, by)
    await uow.accounts.save(account)
    await _revoke_all(uow, signer, account, "access-changed")
    uow.publish_recorded(account)
    return account


async def _practices_of(uow: IdentityWork, tenant_id: UUID | None, access: Access) -> None:
    """An account limited to practices names only its tenant's registered ones: another tenant's practice, or one
    that never existed, is not found (404 naming the field, as on every route), whoever's it is."""
    if tenant_id is None or not access.practice_ids:
        return
    known = await practices.owners(uow.session, access.practice_ids)
    if any(known.get(practice_id) != tenant_id for practice_id in access.practice_ids):
        raise NotFound("practice not found", field="practice_ids")


async def disable(uow: IdentityWork, signer: Signer, principal: Principal, account_id: UUID, by: Actor) -> Account:
    """The account can no longer sign in, renew or be issued tokens, and every token it holds is revoked."""
    account = await _account(uow, principal.tenant_id, account_id)
    account.disable(by, datetime.now(UTC))
    await uow.accounts.save(account)
    await _revoke_all(uow, signer, account, "disabled")
    uow.publish_recorded(account)
    return account


async def integration_named(uow: IdentityWork, tenant_id: UUID, name: str, access: Access, by: Actor) -> Account:
    """The tenant's integration of this name (the latest, if several), or a new one: for the command line, which
    issues the same callers' tokens again (the demo at every start). One of that name with other roles or practices
    is refused, never changed: its administrator changes it."""
    account = await uow.accounts.integration_named(tenant_id, name)
    if account is None:
        return await create_integration(uow, tenant_id, name, access, by)
    if (account.roles, account.practice_ids) != (access.roles, access.practice_ids):
        raise RuleViolation(f"the integration {name!r} exists with other roles or practices", field="name")
    return account


async def issue_token(
    uow: IdentityWork, signer: Signer, tenant_id: UUID, account_id: UUID, days: int, by: Actor
) -> Issued:
    account = await _account(uow, tenant_id, account_id, Kind.INTEGRATION)
    if not account.enabled:
        raise RuleViolation("this integration is disabled", field="integration_id")
    issued = signer.for_account(account, timedelta(days=days))
    await uow.integration_tokens.add(tenant_id, account.id, _kept(issued), by.subject)
    account.token_issued(by, issued.jti)
    uow.publish_recorded(account)
    return issued


async def revoke_token(uow: IdentityWork, principal: Principal, account_id: UUID, jti: str, by: Actor) -> None:
    account = await _account(uow, principal.tenant_id, account_id, Kind.INTEGRATION)
    revoked = await uow.integration_tokens.revoke(principal.tenant_id, account.id, jti, datetime.now(UTC))
    if revoked is None:
        raise NotFound("no such token for this integration", field="jti")
    await uow.revocations.token(jti, principal.tenant_id, revoked.expires_at, "revoked")
    account.token_revoked(by, jti)
    uow.publish_recorded(account)


async def on_access_recorded(deliveries: Sequence[Delivery], uow: IdentityWork, *, key: AuditKey) -> None:
    """A run of one tenant's access events, appended to its chain in order, each chained with `key` to the row
    before; a redelivered event is kept once. The consumer is given the key when the worker starts (consumers.py)."""
    await uow.access_log.append([d.event for d in deliveries if isinstance(d.event, AccessRecorded)], key)


async def _account(uow: IdentityWork, tenant_id: UUID, account_id: UUID, kind: Kind | None = None) -> Account:
    """One of the caller's tenant's accounts (404 for another tenant's: it cannot tell them from none)."""
    account = await uow.accounts.find(tenant_id, account_id, kind)
    if account is None:
        raise NotFound("no such user in your tenant", field="user_id")
    return account


async def _revoke_all(uow: IdentityWork, signer: Signer, account: Account, reason: str) -> None:
    now = datetime.now(UTC)
    await uow.revocations.subject(account.subject, account.tenant_id, now, now + signer.longest(), reason)


def _kept(issued: Issued) -> IssuedToken:
    return IssuedToken(issued.jti, issued.issued_at, issued.expires_at, None)
