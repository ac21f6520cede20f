"""Signed webhooks, as the payment processors our users know sign them: the header
`Processor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint's secret>`.
The receiver checks the signature in constant time and refuses one whose timestamp is further than the tolerance
from now (a replayed old delivery). The simulated processor signs with `sign`; patient billing checks with
`verify`, the one definition both sides use."""

import hashlib
import hmac
import time

HEADER = "Processor-Signature"
TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """The delivery is not the processor's, or is too old to trust."""


def sign(secret: bytes, body: bytes, at: int | None = None) -> str:
    moment = int(time.time()) if at is None else at
    return f"t={moment},v1={_mac(secret, moment, body)}"


def verify(secret: bytes, body: bytes, header: str | None, *, now: float | None = None) -> None:
    """Raises BadSignature unless `header` signs `body` with `secret` within the tolerance."""
    parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        moment = int(parts["t"])
    except (KeyError, ValueError):
        raise BadSignature("no timestamp") from None
    if abs((time.time() if now is None else now) - moment) > TOLERANCE_SECONDS:
        raise BadSignature("timestamp outside the tolerance")
    if not hmac.compare_digest(parts.get("v1", ""), _mac(secret, moment, body)):
        raise BadSignature("signature does not match")


def _mac(secret: bytes, moment: int, body: bytes) -> str:
    return hmac.new(secret, f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
