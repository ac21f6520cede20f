"""Bearer tokens: Ed25519-signed JWTs for two kinds of principal that can never be confused.

- Tenant principals (a person or an integration of one billing company) are scoped to one tenant, all or some
  of its practices, and tenant roles. They are issued for the installation's audience.
- Installation operators (the people running claimstream) have no tenant; their tokens have an issuer and an
  audience of their own, so a tenant token is refused wherever an operator is needed, and the reverse.

The identity service alone signs. Services hold only public keys (several during a rotation, told apart by the
`kid` header, a fingerprint of the key) and verify issuer, audience, expiry, algorithm (EdDSA alone: `none` and
HMAC tokens are refused whatever their header says), the lifetime cap of the token's kind and, through the
platform, the revocation list (docs/security.md).
"""

import base64
import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from claimstream_platform.errors import Forbidden, NotFound, Unauthenticated

if TYPE_CHECKING:
    from claimstream_platform.settings import ServiceSettings

ALGORITHM = "EdDSA"
VERIFIED_KEPT = 10_000  # tokens a verifier remembers as verified, each until it expires (its keys never change)
ALL_PRACTICES = "*"
ISSUER = "claimstream"
AUDIENCE = "claimstream-api"
OPERATOR_ISSUER = "claimstream-installation"
OPERATOR_AUDIENCE = "claimstream-operations"
# The simulated outside world (clearinghouse and payers) has credentials of its own: its own key, issuer and
# audience, so a claimstream token is refused there and a clearinghouse token is refused by claimstream.
CLEARINGHOUSE_ISSUER = "clearinghouse-simulator"
CLEARINGHOUSE_AUDIENCE = "clearinghouse-simulator"


class Role(StrEnum):
    """What a tenant principal may do; a person may hold several (docs/security.md lists every route's)."""

    TENANT_ADMIN = "tenant-admin"  # users, submitter, practices, payers, fee schedules, contract rates, policy
    BILLER = "biller"  # work queues, corrections, appeals, write-offs up to the admin's limit, uploads
    FRONT_DESK = "front-desk"  # eligibility checks, estimates, authorizations, payments at the desk
    EHR_INTEGRATION = "ehr-integration"  # encounters, and reads of their outcome
    READ_ONLY = "read-only"  # an owner's reports
    AUDITOR = "auditor"  # the access log


TENANT_ROLES = frozenset(Role)
OPERATOR = "installation-operator"  # the one power of an operator token; no tenant token can carry it
# The simulator's own roles, on its own credentials: an account sends and fetches, an operator runs its cycles.
CLEARINGHOUSE_ACCOUNT = "account"
CLEARINGHOUSE_OPERATOR = "operator"
CLEARINGHOUSE_ROLES = frozenset({CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR})


class Kind(StrEnum):
    PERSON = "person"
    INTEGRATION = "integration"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Principal:
    """A tenant's caller: its subject, its tenant, the practices it may touch (None: all) and its roles."""

    subject: str
    tenant_id: UUID
    practice_ids: frozenset[UUID] | None
    token_id: str
    roles: frozenset[str] = frozenset()
    kind: Kind = Kind.INTEGRATION
    issued_at: datetime | None = None

    def may_access(self, practice_id: UUID) -> bool:
        return self.practice_ids is None or practice_id in self.practice_ids

    def require_practice(self, practice_id: UUID) -> None:
        """Raise NotFound (never 403) so a caller cannot learn that another tenant's practice exists."""
        if not self.may_access(practice_id):
            raise NotFound("practice not found", field="practice_id")

    def require_whole_tenant(self, what: str) -> None:
        """Refuse (403, whatever the ids) what spans every practice of the tenant to a token limited to some."""
        if self.practice_ids is not None:
            raise Forbidden(f"{what} spans every practice: a token limited to practices may not use it", field="token")

    def require_role(self, role: str) -> None:
        if role not in self.roles:
            raise Forbidden(f"this action needs the {role} role", field="token")


@dataclass(frozen=True, slots=True)
class Operator:
    """An installation operator: no tenant, every tenant's operational data, never a tenant's business."""

    subject: str
    token_id: str
    issued_at: datetime | None = None
    roles: frozenset[str] = frozenset({OPERATOR})


Caller = Principal | Operator


@dataclass(frozen=True)
class LifetimeCaps:
    """The longest a token of each kind may live (exp - iat); a longer one is refused however it was signed."""

    person: timedelta = timedelta(hours=1)
    operator: timedelta = timedelta(hours=1)
    integration: timedelta = timedelta(days=90)

    def of(self, kind: Kind) -> timedelta:
        return {Kind.PERSON: self.person, Kind.OPERATOR: self.operator, Kind.INTEGRATION: self.integration}[kind]


def key_id(public_key: Ed25519PublicKey) -> str:
    """The `kid` of a key: a fingerprint, so a key and its id can never disagree."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")


def generate_keypair(private_path: Path, public_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    private_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def load_public_keys(path: Path) -> dict[str, Ed25519PublicKey]:
    """Every PEM public key in the file by its `kid`: during a rotation the file holds the old and the new."""
    keys: dict[str, Ed25519PublicKey] = {}
    for block in path.read_text().split("-----END PUBLIC KEY-----")[:-1]:
        key = serialization.load_pem_public_key(f"{block.strip()}\n-----END PUBLIC KEY-----\n".encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("verification keys must be Ed25519 public keys")
        keys[key_id(key)] = key
    if not keys:
        raise ValueError(f"no public key in {path}")
    return keys


@dataclass(frozen=True)
class TokenIssuer:
    private_key: Ed25519PrivateKey
    issuer: str = ISSUER
    audience: str = AUDIENCE
    caps: LifetimeCaps = field(default_factory=LifetimeCaps)

    @classmethod
    def from_file(cls, path: Path, **kwargs: Any) -> Self:
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
        lifetime: timedelta = timedelta(hours=1),
        roles: Iterable[str] = (),
        kind: Kind = Kind.INTEGRATION,
    ) -> str:
        practices = sorted(str(p) for p in practice_ids) if practice_ids is not None else ALL_PRACTICES
        claims = {"sub": subject or f"tenant:{tenant_id}", "tid": str(tenant_id), "practices": practices}
        return self._sign(claims, kind=kind, lifetime=lifetime, roles=roles)

    def issue_operator(self, *, subject: str, lifetime: timedelta = timedelta(hours=1)) -> str:
        """An installation operator's token: its own issuer and audience, whatever this issuer's are."""
        operators = TokenIssuer(self.private_key, OPERATOR_ISSUER, OPERATOR_AUDIENCE, self.caps)
        return operators._sign({"sub": subject}, kind=Kind.OPERATOR, lifetime=lifetime, roles=(OPERATOR,))

    def _sign(self, claims: dict[str, Any], *, kind: Kind, lifetime: timedelta, roles: Iterable[str]) -> str:
        if lifetime > self.caps.of(kind):
            raise ValueError(f"a {kind} token lives at most {self.caps.of(kind)}")
        now = datetime.now(UTC)
        claims |= {"iss": self.issuer, "aud": self.audience, "iat": now, "nbf": now, "exp": now + lifetime}
        claims |= {"jti": str(uuid4()), "kind": str(kind)}
        if roles:
            claims["roles"] = sorted(roles)
        headers = {"kid": key_id(self.private_key.public_key())}
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers=headers)


@dataclass(frozen=True)
class TokenVerifier:
    """Verifies the tokens of one installation: its tenants' and, unless `operators` is off, its operators'."""

    public_keys: Mapping[str, Ed25519PublicKey]
    issuer: str = ISSUER
    audience: str = AUDIENCE
    caps: LifetimeCaps = field(default_factory=LifetimeCaps)
    roles: frozenset[str] = TENANT_ROLES  # what a token of `issuer` may carry; anything else is a forgery
    operators: bool = True
    _verified: dict[str, tuple[Caller, float]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_file(cls, path: Path, **kwargs: Any) -> Self:
        return cls(load_public_keys(path), **kwargs)

    def verify(self, token: str) -> Caller:
        """The token's caller; one verified before, from memory until it expires: a signature checked again on each
        request of a token cost more than the rest of authenticating (revocation is checked every time)."""
        caller, expires = self._verified.get(token) or self._verify(token)
        if time.time() >= expires:  # remembered, but expired since: verified again, refused as expired
            caller, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_KEPT:  # a burst of distinct tokens: start again, not track their ages
            self._verified.clear()
        self._verified[token] = (caller, expires)
        return caller

    def _verify(self, token: str) -> tuple[Caller, float]:
        try:
            key = self.public_keys.get(jwt.get_unverified_header(token).get("kid", ""))
            if key is None:
                raise Unauthenticated("token signed by an unknown key")
            issuers = [self.issuer, OPERATOR_ISSUER] if self.operators else [self.issuer]
            audiences = [self.audience, OPERATOR_AUDIENCE] if self.operators else [self.audience]
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], audience=audiences, issuer=issuers, options=_REQUIRED
            )
            return self._caller(claims), float(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise Unauthenticated(_reason(error)) from None

    def _caller(self, claims: dict[str, Any]) -> Caller:
        kind, issued_at = Kind(claims["kind"]), datetime.fromtimestamp(claims["iat"], UTC)
        if datetime.fromtimestamp(claims["exp"], UTC) - issued_at > self.caps.of(kind):
            raise ValueError("token outlives its kind's cap")
        roles = frozenset(str(role) for role in claims.get("roles") or ())
        if claims["iss"] == OPERATOR_ISSUER:
            if claims["aud"] != OPERATOR_AUDIENCE or kind is not Kind.OPERATOR or roles != {OPERATOR}:
                raise ValueError("operator token malformed")
            return Operator(subject=claims["sub"], token_id=claims["jti"], issued_at=issued_at)
        if claims["aud"] != self.audience or kind is Kind.OPERATOR or not roles <= self.roles:
            raise ValueError("tenant token claims powers it cannot have")
        return Principal(
            subject=claims["sub"],
            tenant_id=UUID(claims["tid"]),
            practice_ids=_practices(claims["practices"]),
            token_id=claims["jti"],
            roles=roles,
            kind=kind,
            issued_at=issued_at,
        )


def verifier_for(settings: "ServiceSettings") -> TokenVerifier:
    """A service's verifier. The simulated clearinghouse stands outside: its own accounts, no operators of ours."""
    path = settings.auth_public_key_file
    if settings.auth_issuer == CLEARINGHOUSE_ISSUER:
        return TokenVerifier.from_file(
            path,
            issuer=CLEARINGHOUSE_ISSUER,
            audience=CLEARINGHOUSE_AUDIENCE,
            roles=CLEARINGHOUSE_ROLES,
            operators=False,
        )
    caps = LifetimeCaps(integration=timedelta(days=settings.integration_token_max_days))
    return TokenVerifier.from_file(path, issuer=settings.auth_issuer, audience=settings.auth_audience, caps=caps)


_REQUIRED: "jwt.types.Options" = {"require": ["exp", "iat", "iss", "aud", "sub", "jti", "kind"]}


def _practices(claim: object) -> frozenset[UUID] | None:
    if claim == ALL_PRACTICES:
        return None
    if not isinstance(claim, list) or not claim:
        raise ValueError("practices claim must be '*' or a non-empty list")
    return frozenset(UUID(p) for p in claim)


def _reason(error: Exception) -> str:
    if isinstance(error, Unauthenticated):
        return str(error)
    if isinstance(error, jwt.ExpiredSignatureError):
        return "token expired"
    if isinstance(error, jwt.InvalidSignatureError):
        return "token signature invalid"
    if isinstance(error, jwt.InvalidAudienceError | jwt.InvalidIssuerError):
        return "token not issued for this API"
    return "token invalid"
