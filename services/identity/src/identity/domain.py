"""Identity's accounts, pure: a tenant's people and integrations and the installation's operators, what an
administrator changes about them, and the rules of signing in (invitation codes, slowing down guesses).

Every change an account goes through records its row for the access log (`AccessRecorded`, audit class `admin`),
published by the handler in the same transaction as the change: a change without its row, or a row without its
change, cannot be committed.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from claimstream_platform.access import Audit
from claimstream_platform.auth import Kind
from claimstream_platform.contracts.access import INSTALLATION, AccessRecorded
from claimstream_platform.errors import Forbidden, RuleViolation

SERVICE = "identity"
PERSON_LIFETIME = timedelta(hours=1)
INVITATION_LIFETIME = timedelta(days=7)
FREE_FAILURES = 5  # sign-in failures before each further attempt waits
LONGEST_WAIT = timedelta(minutes=15)
FAILURES_FORGOTTEN = timedelta(hours=1)  # a quiet hour starts the count again


@dataclass(frozen=True)
class Actor:
    """Who made a change: the caller's subject and kind (person, integration, operator, system) and address."""

    subject: str
    kind: str
    client: str | None = None


SYSTEM = Actor("identity-cli", "system")


@dataclass
class Account:
    """A person or integration of one tenant, or an installation operator (no tenant)."""

    id: UUID
    tenant_id: UUID | None
    kind: Kind
    name: str
    email: str | None
    roles: frozenset[str]
    practice_ids: frozenset[UUID] | None = None
    password_hash: str | None = None
    disabled_at: datetime | None = None
    _events: list[AccessRecorded] = field(default_factory=list, repr=False)

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None and (self.kind is Kind.INTEGRATION or self.password_hash is not None)

    @classmethod
    def invite(
        cls,
        tenant_id: UUID | None,
        email: str,
        name: str,
        roles: frozenset[str],
        practice_ids: frozenset[UUID] | None,
        by: Actor,
    ) -> "Account":
        """A person (or, without a tenant, an operator) who signs in once they accept their invitation."""
        kind = Kind.PERSON if tenant_id is not None else Kind.OPERATOR
        if kind is Kind.PERSON and not roles:
            raise RuleViolation("a person holds at least one role", field="roles")
        account = cls(uuid4(), tenant_id, kind, name, email.strip().lower(), roles, practice_ids)
        account._record(by, "POST /v1/users", 201)
        return account

    @classmethod
    def integration(
        cls, tenant_id: UUID, name: str, roles: frozenset[str], practice_ids: frozenset[UUID] | None, by: Actor
    ) -> "Account":
        if not roles:
            raise RuleViolation("an integration holds at least one role", field="roles")
        account = cls(uuid4(), tenant_id, Kind.INTEGRATION, name, None, roles, practice_ids)
        account._record(by, "POST /v1/integrations", 201)
        return account

    def accept(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self._record(Actor(self.subject, str(self.kind)), "POST /v1/invitations/accept", 200)

    def set_access(self, roles: frozenset[str], practice_ids: frozenset[UUID] | None, by: Actor) -> None:
        """New roles and practices; the tokens issued before are revoked by the handler (they carry the old ones)."""
        if not roles:
            raise RuleViolation("an account holds at least one role", field="roles")
        self.roles, self.practice_ids = roles, practice_ids
        self._record(by, "PATCH /v1/users/{user_id}", 200)

    def disable(self, by: Actor, now: datetime) -> None:
        if by.subject == self.subject:
            raise Forbidden("an administrator cannot disable their own account", field="user_id")
        if self.disabled_at is None:
            self.disabled_at = now
        self._record(by, "POST /v1/users/{user_id}/disable", 200)

    def token_issued(self, by: Actor, jti: str) -> None:
        self._record(by, "POST /v1/integrations/{integration_id}/tokens", 201, jti=jti)

    def token_revoked(self, by: Actor, jti: str) -> None:
        self._record(by, "POST /v1/integrations/{integration_id}/tokens/{jti}/revoke", 200, jti=jti)

    def invitation_issued(self, by: Actor) -> None:
        self._record(by, "POST /v1/users/{user_id}/invitations", 201)

    def signed_in(self, client: str | None) -> None:
        self._record(Actor(self.subject, str(self.kind), client), _sign_in_route(self.kind), 200)

    def sign_in_refused(self, client: str | None) -> None:
        self._record(Actor(self.subject, str(self.kind), client), _sign_in_route(self.kind), 401)

    def take_events(self) -> list[AccessRecorded]:
        events, self._events = self._events, []
        return events

    def _record(self, by: Actor, action: str, status: int, **resource: str) -> None:
        id_name = {Kind.PERSON: "user_id", Kind.INTEGRATION: "integration_id", Kind.OPERATOR: "operator_id"}
        resource = {id_name[self.kind]: str(self.id), **resource}
        self._events.append(access_event(self.tenant_id, by, action, status, resource))


def access_event(
    tenant_id: UUID | None, by: Actor, action: str, status: int, resource: dict[str, str]
) -> AccessRecorded:
    """One row of the access log for something identity did (the installation's chain when there is no tenant)."""

    return AccessRecorded(
        tenant_id=tenant_id or INSTALLATION,
        access_id=uuid4(),
        occurred_at=datetime.now(UTC),
        service=SERVICE,
        actor=by.subject,
        actor_kind=by.kind,
        audit=str(Audit.ADMIN),
        action=action,
        resource=resource,
        status=status,
        client=by.client,
    )


def _sign_in_route(kind: Kind) -> str:
    return "POST /v1/operators/sign-in" if kind is Kind.OPERATOR else "POST /v1/sign-in"


def new_invitation_code() -> tuple[str, str]:
    """A one-time code for the invitee (shown once to the administrator) and the hash we keep of it."""
    code = secrets.token_urlsafe(24)
    return code, invitation_hash(code)


def invitation_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def failure_key(realm: str, email: str) -> str:
    """Whose failures count together: the email as typed (lower case), whether or not an account has it."""
    return hashlib.sha256(f"{realm}:{email.strip().lower()}".encode()).hexdigest()


def wait_before_next(failures: int, last_failure: datetime, now: datetime) -> timedelta:
    """How long the next attempt must wait: nothing for the first few failures, then doubling up to 15 minutes."""
    if failures < FREE_FAILURES or now - last_failure > FAILURES_FORGOTTEN:
        return timedelta(0)
    wait = min(timedelta(seconds=2 ** (failures - FREE_FAILURES)), LONGEST_WAIT)
    return max(last_failure + wait - now, timedelta(0))
