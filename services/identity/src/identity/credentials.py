"""What identity alone holds: the signing key (tokens for people, integrations and operators, each within its
kind's lifetime) and the password hasher (argon2id). CPU work only, run off the event loop."""

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from claimstream_platform.auth import Kind, LifetimeCaps, TokenIssuer
from claimstream_platform.errors import RuleViolation

from identity.domain import PERSON_LIFETIME, Account

if TYPE_CHECKING:
    from identity.service import IdentitySettings

SHORTEST_PASSWORD = 12


@dataclass(frozen=True)
class Issued:
    """A token as handed out once, with what identity keeps of it (never the token itself)."""

    token: str
    jti: str
    issued_at: datetime
    expires_at: datetime


class Signer:
    def __init__(self, issuer: TokenIssuer) -> None:
        self._issuer = issuer

    @classmethod
    def from_settings(cls, settings: "IdentitySettings") -> "Signer":
        """The installation's issuer, with the integration cap every service verifies (INTEGRATION_TOKEN_MAX_DAYS)."""
        caps = LifetimeCaps(integration=timedelta(days=settings.integration_token_max_days))
        key, issuer, audience = settings.identity_signing_key_file, settings.auth_issuer, settings.auth_audience
        return cls(TokenIssuer.from_file(key, issuer=issuer, audience=audience, caps=caps))

    @property
    def caps(self) -> LifetimeCaps:
        return self._issuer.caps

    def for_account(self, account: Account, lifetime: timedelta = PERSON_LIFETIME) -> Issued:
        """A person's or operator's token (an hour), or an integration's (`lifetime`, within the cap)."""
        if account.kind is Kind.OPERATOR:
            return _issued(self._issuer.issue_operator(subject=account.subject, lifetime=lifetime))
        if account.tenant_id is None:
            raise ValueError("a tenant account without a tenant")
        if lifetime > self.caps.of(account.kind):
            raise RuleViolation(f"a token lives at most {self.caps.of(account.kind).days} days", field="days")
        token = self._issuer.issue(
            tenant_id=account.tenant_id,
            practice_ids=account.practice_ids,
            subject=account.subject,
            lifetime=lifetime,
            roles=account.roles,
            kind=account.kind,
        )
        return _issued(token)

    def expiry(self, kind: Kind, issued_at: datetime | None) -> datetime:
        """When a token of `kind` issued at `issued_at` expires at the latest (its cap)."""
        return (issued_at or datetime.now(UTC)) + self.caps.of(kind)

    def longest(self) -> timedelta:
        return max(self.caps.of(kind) for kind in Kind)


def _issued(token: str) -> Issued:
    claims = jwt.decode(token, options={"verify_signature": False})
    issued_at, expires_at = (datetime.fromtimestamp(claims[name], UTC) for name in ("iat", "exp"))
    return Issued(token, claims["jti"], issued_at, expires_at)


class Passwords:
    """argon2id hashes; an unknown account is checked against a hash of nothing, so it takes as long."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        if len(password) < SHORTEST_PASSWORD:
            raise RuleViolation(f"a password has at least {SHORTEST_PASSWORD} characters", field="password")
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, stored, password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored or self._decoy, password)) and stored is not None
        except (VerificationError, InvalidHashError):
            return False
