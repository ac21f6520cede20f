"""A signed-in person's session (pure): its rules, the cookie that names it, and its token sealed at rest.

The session is kept server-side, in the console's own table (`repository.SessionStore`): the person's own token
from identity (the console holds no signing key), the token's end, a CSRF secret for the forms and when the person
was last seen. The browser's cookie carries only the session's id, a random secret of 32 bytes: a token names the
person's practices, and one naming some forty of them no longer fits in a cookie, which browsers keep to 4 KB. The
table keeps the id's SHA-256, never the id, and the token sealed under the console's key (Fernet: AES and an HMAC),
so a reader of the database finds neither a cookie nor a token to use. Signing out removes the row and revokes the
token at identity, so a copied cookie is refused everywhere at once (docs/console.md).
"""

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "claimstream_console"
RENEW_BEFORE = timedelta(minutes=10)  # a person's token lives an hour: renewed in its last minutes
SEEN_EVERY = timedelta(minutes=1)  # a visit is written down at most this often: no write for every page
# The query mark of a page's own reload (a long operation's progress): not a visit of the person's, so that a tab
# left open on it still reaches the idle limit (render.reloads_itself, gate.py).
RELOADED = "reloaded"


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

    def seen_lately(self, now: datetime, every: timedelta = SEEN_EVERY) -> bool:
        """Seen less than `every` ago: this visit need not be written down (the idle timeout is then up to a minute
        early, far under its half hour)."""
        return now.timestamp() - self.seen_at < every.total_seconds()

    def seen(self, now: datetime) -> "Session":
        return replace(self, seen_at=now.timestamp())

    def renewed(self, token: str, expires_at: datetime) -> "Session":
        return replace(self, token=token, expires_at=expires_at.timestamp())


def new_id() -> str:
    """A new session's id: what its cookie carries, 32 random bytes (urlsafe base64, 43 characters)."""
    return secrets.token_urlsafe(32)


def key_of(session_id: str) -> str:
    """What the table keeps of an id: its SHA-256 (hex). The id is a random secret, so no salt or slow hash is
    needed; whoever reads the table cannot make a cookie from it."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Sealer:
    """Seals and opens the tokens kept in the sessions' table under the console's key (a Fernet key: 32 bytes,
    urlsafe base64)."""

    key: bytes

    def seal(self, token: str) -> str:
        return Fernet(self.key).encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The token, or None for one damaged or sealed under another key."""
        try:
            return Fernet(self.key).decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None


def new_key() -> bytes:
    return Fernet.generate_key()


@dataclass(frozen=True)
class Cookies:
    """The session's Set-Cookie header: its id, for the console's paths, out of scripts' reach (HttpOnly), never
    sent with another site's request (SameSite=Strict), over HTTPS only unless the installation says otherwise."""

    secure: bool

    def header(self, session_id: str | None) -> str:
        flags = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if self.secure else "")
        if session_id is None:
            return f"{COOKIE}=; Max-Age=0{flags}"
        return f"{COOKIE}={session_id}{flags}"
