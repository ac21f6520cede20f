"""The statement's payment link, pure: a token that names one statement, expires, and is signed with patient
billing's own link key (HMAC-SHA256). Whoever holds the statement may pay what it asks: the token is a principal of
its own, good for that statement's routes only (`/v1/statement-link/...`), and carries nothing of the patient."""

import base64
import hashlib
import hmac
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

LIFETIME_SECONDS = 120 * 86400  # past the statement's due date and the reminders that repeat it


class BadLink(Exception):
    """Not a link we signed, or one past its time."""


@dataclass(frozen=True)
class Links:
    key: bytes

    def token(self, statement_id: UUID, *, now: float | None = None) -> str:
        expires = int(time.time() if now is None else now) + LIFETIME_SECONDS
        claim = statement_id.bytes + struct.pack(">Q", expires)
        return f"{_b64(claim)}.{_b64(self._mac(claim))}"

    def statement_of(self, token: str | None, *, now: float | None = None) -> UUID:
        """The statement the token names; BadLink when it is forged, malformed or expired."""
        try:
            claim_part, mac_part = (token or "").split(".")
            claim, mac = _unb64(claim_part), _unb64(mac_part)
        except ValueError:
            raise BadLink("malformed") from None
        if len(claim) != 24 or not hmac.compare_digest(mac, self._mac(claim)):
            raise BadLink("not signed by us")
        (expires,) = struct.unpack(">Q", claim[16:])
        if (time.time() if now is None else now) > expires:
            raise BadLink("expired")
        return UUID(bytes=claim[:16])

    def page(self, base_url: str) -> Callable[[UUID], str]:
        """Where each statement is paid: the payment page, the statement's token after `#` (a fragment never
        reaches a server's logs)."""
        return lambda statement_id: f"{base_url.rstrip('/')}/pay#{self.token(statement_id)}"

    def _mac(self, claim: bytes) -> bytes:
        return hmac.new(self.key, b"statement-link:" + claim, hashlib.sha256).digest()[:20]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except Exception as error:
        raise ValueError("not base64") from error
