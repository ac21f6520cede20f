"""The access log's emission: every 2xx answer of a route declared with an audit class publishes one
`AccessRecorded` through the service's outbox (docs/security.md, "Limits and the access log's emission").

The middleware opens a `PendingAccess` for an audited request once its caller is known. A command records it in
its own transaction: `UnitOfWork.commit` stages it beside the change (`stage`), so a rolled-back command leaves
no record and a committed one always has its record. A request that answers 2xx without committing (a read, an
idempotent replay) records it in a short transaction of its own before its response starts; if that fails, the
caller gets a 503 instead of what it asked for (the middleware).
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from claimstream_platform.access import Audit
from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.contracts.base import IntegrationEvent

log = logging.getLogger(__name__)


@dataclass
class PendingAccess:
    """One audited request's record, filled in from its route and caller before the route runs."""

    service: str
    actor: str
    actor_kind: str  # person | integration | operator
    tenant_id: UUID | None  # None: an operator, whose record takes the tenant of what it changed, when known
    audit: Audit
    action: str  # "POST /v1/denials/{case_id}/write-off"
    resource: dict[str, str]
    status: int  # the route's success status; a read's is the one it answers
    client: str | None = None
    correlation_id: UUID | None = None
    recorded: bool = False
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def event(self, tenant_id: UUID) -> AccessRecorded:
        return AccessRecorded(
            tenant_id=tenant_id,
            access_id=uuid4(),
            occurred_at=self.occurred_at,
            service=self.service,
            actor=self.actor,
            actor_kind=self.actor_kind,
            audit=str(self.audit),
            action=self.action,
            resource=self.resource,
            status=self.status,
            client=self.client,
            correlation_id=self.correlation_id,
        )


_pending: ContextVar[PendingAccess | None] = ContextVar("claimstream_pending_access", default=None)


@contextmanager
def auditing(pending: PendingAccess | None) -> Iterator[PendingAccess | None]:
    """The request's pending record for the route's units of work (None: the route is not audited)."""
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def stage(publish: Callable[[IntegrationEvent], UUID], staged_tenants: Iterable[UUID]) -> PendingAccess | None:
    """Called by `UnitOfWork.commit`: stage the request's record in this transaction unless it is recorded.

    The record that was staged is returned, for `committed` once the transaction commits."""
    pending = _pending.get()
    if pending is None or pending.recorded:
        return None
    tenant_id = pending.tenant_id or _only(set(staged_tenants))
    if tenant_id is None:
        # An operator's request that changed no one tenant's data: the log is per tenant, so there is no chain to
        # put it in. The operator's own log line (claimstream.access) still names the route and the status.
        log.info("access not recorded: an operator's request with no tenant", extra={"action": pending.action})
        pending.recorded = True
        return None
    publish(pending.event(tenant_id))
    return pending


def committed(pending: PendingAccess | None) -> None:
    if pending is not None:
        pending.recorded = True


def unrecorded(status: int) -> PendingAccess | None:
    """The request's record when its 2xx answer is about to start and no commit has recorded it yet."""
    pending = _pending.get()
    if pending is None or pending.recorded or not 200 <= status < 300:
        return None
    pending.status = status
    return pending


def _only(tenants: set[UUID]) -> UUID | None:
    return next(iter(tenants)) if len(tenants) == 1 else None
