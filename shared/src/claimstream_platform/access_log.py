"""The access log's emission: every 2xx answer of a route declared with an audit class publishes one
`AccessRecorded` through the service's outbox (docs/security.md, "Limits and the access log's emission").

The middleware opens a `PendingAccess` for an audited request once its caller is known. A command records it in
its own transaction: `UnitOfWork.commit` stages it beside the change (`stage`), so a rolled-back command leaves
no record and a committed one always has its record. A request that answers 2xx without committing (a read, an
idempotent replay) records it in a short transaction of its own before its response starts; if that fails, the
caller gets a 503 instead of what it asked for (the middleware).
"""

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from claimstream_platform.access import Audit
from claimstream_platform.contracts.access import INSTALLATION, AccessRecorded
from claimstream_platform.contracts.base import IntegrationEvent

# What names a request's object goes in its record's `resource`: the path's parameters (paths carry ids, never
# PHI), and the query parameters the route declares whose names say they hold an id: `*_id`, `*_ref` (the practice's
# own patient id) and `patient` (prior authorization's name for one), but for the ids that are PHI themselves
# (an insurance member's id), which are never recorded, from the path either. A query value that is not one token
# of printable characters is not an id and is recorded as such, never as given. Only 2xx answers are recorded, so
# every value recorded passed the route's own validation.
PHI_IDS = frozenset({"member_id", "subscriber_id", "insured_id", "ssn"})
QUERY_IDS = re.compile(r"[a-z0-9_]+_(id|ref)|patient")
ID_VALUE = re.compile(r"[!-~]{1,120}")
NOT_AN_ID = "(not an id)"


@dataclass
class PendingAccess:
    """One audited request's record, filled in from its route and caller before the route runs."""

    service: str
    actor: str
    actor_kind: str  # person | integration | operator
    tenant_id: UUID | None  # None: an operator, whose record goes where `chains` says
    audit: Audit
    action: str  # "POST /v1/denials/{case_id}/write-off"
    resource: dict[str, str]
    status: int  # the route's success status; a read's is the one it answers
    client: str | None = None
    correlation_id: UUID | None = None
    recorded: bool = False
    touched: set[UUID] = field(default_factory=set)  # tenants whose rows changed without an event of theirs
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


def names_an_object(query_parameter: str) -> bool:
    return query_parameter not in PHI_IDS and QUERY_IDS.fullmatch(query_parameter) is not None


def resource(path: Mapping[str, object], query: Mapping[str, list[str]]) -> dict[str, str]:
    """The ids of the path, then those of `query` (the declared query parameters that name the object, with
    the values given), as the record's `resource`."""
    named = {name: str(value) for name, value in path.items() if name not in PHI_IDS}
    for name, values in query.items():
        if values and name not in named and names_an_object(name):
            value = ",".join(values)
            named[name] = value if ID_VALUE.fullmatch(value) else NOT_AN_ID
    return named


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
    for tenant_id in chains(pending.tenant_id, [*staged_tenants, *pending.touched]):
        publish(pending.event(tenant_id))
    return pending


def chains(caller_tenant: UUID | None, staged_tenants: Iterable[UUID]) -> list[UUID]:
    """The chains a request's record goes in: its caller's tenant's; for an installation operator, each tenant's
    whose data the request changed (so that tenant's auditor sees it), else the installation's own (a read, or a
    command that changed no tenant's data)."""
    if caller_tenant is not None:
        return [caller_tenant]
    return sorted(set(staged_tenants)) or [INSTALLATION]


def touched(tenant_id: UUID | None) -> None:
    """A command that changed a tenant's rows without staging an event of theirs (an operator settling a tenant's
    quarantined document) names that tenant here, so its record goes in that tenant's chain too."""
    pending = _pending.get()
    if pending is not None and tenant_id is not None:
        pending.touched.add(tenant_id)


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
