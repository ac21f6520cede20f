"""Bearer tokens: Ed25519-signed JWTs scoped to one tenant and to all or some of its practices.

The CLI signs with the private key; services hold only the public key and verify issuer, audience,
expiry and algorithm (EdDSA alone: `none` and HMAC tokens are refused whatever their header says).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from claimstream_platform.errors import Forbidden, NotFound, Unauthenticated

ALGORITHM = "EdDSA"
ALL_PRACTICES = "*"
# The simulated outside world (clearinghouse and payers) has credentials of its own: its own key, issuer and
# audience, so a claimstream token is refused there and a clearinghouse token is refused by claimstream.
CLEARINGHOUSE_ISSUER = "clearinghouse-simulator"
CLEARINGHOUSE_AUDIENCE = "clearinghouse-simulator"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a token's subject, its tenant, and the practices it may touch (None: all)."""

    subject: str
    tenant_id: UUID
    practice_ids: frozenset[UUID] | None
    token_id: str
    roles: frozenset[str] = frozenset()  # "operator": installation-wide recovery actions (quarantine, cycles)

    def may_access(self, practice_id: UUID) -> bool:
        return self.practice_ids is None or practice_id in self.practice_ids

    def require_practice(self, practice_id: UUID) -> None:
        """Raise NotFound (never 403) so a caller cannot learn that another tenant's practice exists."""
        if not self.may_access(practice_id):
            raise NotFound("practice not found", field="practice_id")

    def require_role(self, role: str) -> None:
        if role not in self.roles:
            raise Forbidden(f"this action needs the {role} role", field="token")


def generate_keypair(private_path: Path, public_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    private_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


@dataclass(frozen=True)
class TokenIssuer:
    private_key: Ed25519PrivateKey
    issuer: str = "claimstream"
    audience: str = "claimstream-api"

    @classmethod
    def from_file(cls, path: Path, **kwargs: str) -> "TokenIssuer":
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key")
        return cls(key, **kwargs)

    def issue(
        self,
        *,
        tenant_id: UUID,
        practice_ids: Iterable[UUID] | None = None,
        subject: str | None = None,
        lifetime: timedelta = timedelta(days=30),
        roles: Iterable[str] = (),
    ) -> str:
        now = datetime.now(UTC)
        practices = sorted(str(p) for p in practice_ids) if practice_ids is not None else ALL_PRACTICES
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject or f"tenant:{tenant_id}",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": str(uuid4()),
            "tid": str(tenant_id),
            "practices": practices,
        }
        if roles:
            claims["roles"] = sorted(roles)
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM)


@dataclass(frozen=True)
class TokenVerifier:
    public_key: Ed25519PublicKey
    issuer: str = "claimstream"
    audience: str = "claimstream-api"

    @classmethod
    def from_file(cls, path: Path, **kwargs: str) -> "TokenVerifier":
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the verification key must be an Ed25519 public key")
        return cls(key, **kwargs)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "tid", "practices"]},
            )
            return Principal(
                subject=claims["sub"],
                tenant_id=UUID(claims["tid"]),
                practice_ids=_practices(claims["practices"]),
                token_id=claims["jti"],
                roles=frozenset(str(role) for role in claims.get("roles") or ()),
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise Unauthenticated(_reason(error)) from None


def _practices(claim: object) -> frozenset[UUID] | None:
    if claim == ALL_PRACTICES:
        return None
    if not isinstance(claim, list) or not claim:
        raise ValueError("practices claim must be '*' or a non-empty list")
    return frozenset(UUID(p) for p in claim)


def _reason(error: Exception) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "token expired"
    if isinstance(error, jwt.InvalidSignatureError):
        return "token signature invalid"
    if isinstance(error, jwt.InvalidAudienceError | jwt.InvalidIssuerError):
        return "token not issued for this API"
    return "token invalid"
