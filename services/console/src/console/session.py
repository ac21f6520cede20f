"""A signed-in person's session, kept in the browser as one encrypted cookie (pure).

The cookie holds the person's own token from identity (the console holds no signing key), the token's end, a
CSRF secret for the forms and when the person was last seen. It is sealed with Fernet (AES and an HMAC) under the
console's session key, so the browser can neither read the token nor change a field; every replica with the key
opens it, and nothing is stored server-side. Signing out revokes the token at identity, so a copied cookie is
refused everywhere within about a second (docs/console.md).
"""

import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "claimstream_console"
RENEW_BEFORE = timedelta(minutes=10)  # a person's token lives an hour: renewed in its last minutes


@dataclass(frozen=True)
class Session:
    token: str
    operator: bool  # an installation operator (operator token), else a tenant's person
    expires_at: float  # the token's end, epoch seconds
    seen_at: float  # the last request, epoch seconds: the idle timeout counts from it
    csrf: str

    @classmethod
    def begin(cls, token: str, *, operator: bool, expires_at: datetime, now: datetime) -> "Session":
        return cls(token, operator, expires_at.timestamp(), now.timestamp(), secrets.token_urlsafe(24))

    def idle(self, now: datetime, limit: timedelta) -> bool:
        return now.timestamp() - self.seen_at > limit.total_seconds()

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at

    def due_for_renewal(self, now: datetime, within: timedelta = RENEW_BEFORE) -> bool:
        """Renewed once less than `within` is left (at least RENEW_BEFORE): with the idle limit as `within`, a
        person who comes back before it finds a live token, whenever they last came."""
        return self.expires_at - now.timestamp() <= max(within, RENEW_BEFORE).total_seconds()

    def seen(self, now: datetime) -> "Session":
        return replace(self, seen_at=now.timestamp())

    def renewed(self, token: str, expires_at: datetime) -> "Session":
        return replace(self, token=token, expires_at=expires_at.timestamp())


@dataclass(frozen=True)
class Sealer:
    """Seals and opens session cookies under the console's key (a Fernet key: 32 bytes, urlsafe base64)."""

    key: bytes

    def seal(self, session: Session) -> str:
        return Fernet(self.key).encrypt(json.dumps(asdict(session)).encode()).decode()

    def open(self, cookie: str | None) -> Session | None:
        """The session, or None for no cookie, a forged or damaged one, or one sealed under another key."""
        if not cookie:
            return None
        try:
            fields = json.loads(Fernet(self.key).decrypt(cookie.encode()))
            return Session(**fields)
        except (InvalidToken, ValueError, TypeError):
            return None


def new_key() -> bytes:
    return Fernet.generate_key()


@dataclass(frozen=True)
class Cookies:
    """The session's Set-Cookie header: sealed, for the console's paths, out of scripts' reach (HttpOnly), never
    sent with another site's request (SameSite=Strict), over HTTPS only unless the installation says otherwise."""

    sealer: Sealer
    secure: bool

    def header(self, session: Session | None) -> str:
        flags = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if self.secure else "")
        if session is None:
            return f"{COOKIE}=; Max-Age=0{flags}"
        return f"{COOKIE}={self.sealer.seal(session)}{flags}"

    def open(self, cookie: str | None) -> Session | None:
        return self.sealer.open(cookie)
