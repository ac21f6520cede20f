"""Signing in, renewing and signing out: people and operators with email and password, each attempt recorded in
the access log in the transaction that counts it.

A wrong password, an unknown email, a disabled account and an invitation not yet accepted all get the same answer,
after the same argon2 work; after a few failures for one email each attempt waits longer (known and unknown emails
alike, so the wait tells nothing either)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from claimstream_platform.auth import Caller, Kind, Operator
from claimstream_platform.errors import Forbidden, Unauthenticated

from identity.credentials import Issued, Passwords, Signer
from identity.domain import Account, Actor, access_event, failure_key, wait_before_next
from identity.repository import IdentityWork

REFUSED = "email or password not recognised"


class TooManyAttempts(Exception):
    """Sign-in failures for this email came too fast: the next attempt waits `retry_after`."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many failed sign-ins for this email; wait before trying again")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    kind: Kind  # PERSON (a tenant's user) or OPERATOR
    email: str
    password: str
    client: str | None


async def sign_in(uow: IdentityWork, passwords: Passwords, signer: Signer, attempt: Attempt) -> Issued:
    now, key = datetime.now(UTC), failure_key(str(attempt.kind), attempt.email)
    async with uow:
        failures = await uow.failures.of(key)
        wait = wait_before_next(*failures, now) if failures else timedelta(0)
        if wait > timedelta(0):
            raise TooManyAttempts(wait)
        account = await uow.accounts.by_email(attempt.kind, attempt.email)
        known = await passwords.verify(account.password_hash if account else None, attempt.password)
        if account is None or not known or not account.enabled:
            await _refused(uow, key, now, account, attempt)
            raise Unauthenticated(REFUSED)
        await uow.failures.forget(key)
        account.signed_in(attempt.client)
        uow.publish_recorded(account)
        issued = signer.for_account(account)
        await uow.commit()
    return issued


async def _refused(uow: IdentityWork, key: str, now: datetime, account: Account | None, attempt: Attempt) -> None:
    """The failure counted and recorded (on the account's tenant, or the installation's chain for an unknown email)."""
    await uow.failures.failed(key, now)
    if account is not None:
        account.sign_in_refused(attempt.client)
        uow.publish_recorded(account)
    else:
        route = "POST /v1/operators/sign-in" if attempt.kind is Kind.OPERATOR else "POST /v1/sign-in"
        uow.publish(access_event(None, Actor("unknown", str(attempt.kind), attempt.client), route, 401, {}))
    await uow.commit()


async def renew(uow: IdentityWork, signer: Signer, caller: Caller) -> Issued:
    """A new token for a person or operator still enabled, with the roles they hold now; the old one revoked."""
    if not isinstance(caller, Operator) and caller.kind is not Kind.PERSON:
        raise Forbidden("an integration's tokens are issued by its administrator", field="token")
    async with uow:
        tenant_id = None if isinstance(caller, Operator) else caller.tenant_id
        account = await uow.accounts.by_subject(caller.subject)
        revoked = await uow.revocations.names(caller.token_id, tenant_id, caller.subject, caller.issued_at)
        if account is None or account.tenant_id != tenant_id or not account.enabled or revoked:
            raise Unauthenticated("this account can no longer sign in")
        issued = signer.for_account(account)
        expires = signer.expiry(_kind(caller), caller.issued_at)
        await uow.revocations.token(caller.token_id, account.tenant_id, expires, "renewed")
        await uow.commit()
    return issued


async def sign_out(uow: IdentityWork, signer: Signer, caller: Caller) -> None:
    """The caller's token revoked until it would have expired."""
    tenant_id = None if isinstance(caller, Operator) else caller.tenant_id
    async with uow:
        expires = signer.expiry(_kind(caller), caller.issued_at)
        await uow.revocations.token(caller.token_id, tenant_id, expires, "signed-out")
        await uow.commit()


def _kind(caller: Caller) -> Kind:
    return Kind.OPERATOR if isinstance(caller, Operator) else caller.kind
