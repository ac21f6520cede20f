"""What the current request or event is part of: correlation and causation ids, the trace, and whose data it
may touch (its tenancy).

Set by the HTTP middleware and by the consumer runtime; read by the unit of work when it stages events
and by the log formatter. The tenancy is what a transaction tells PostgreSQL's row-level security
(`claimstream_platform.db`, docs/security.md).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()


@dataclass(frozen=True, slots=True)
class CallContext:
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    actor: str | None = None  # the caller's token subject; None: the system (a consumer, a loop)

    def traceparent(self) -> str | None:
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        return carrier.get("traceparent")


@dataclass(frozen=True, slots=True)
class Tenancy:
    """Whose rows a transaction may see and write: one tenant's, or (`across`) every tenant's, for the few paths that
    must cross them (a loop that sweeps every tenant, installation operators), which run on the across-tenants
    role's sessions: only that role sees every tenant's rows, whatever a transaction says. Neither (`NO_TENANT`)
    sees no tenant's rows at all: a path that forgot to say whose data it works on finds nothing rather than
    everything."""

    tenant_id: UUID | None = None
    across: bool = False

    @classmethod
    def of(cls, tenant_id: UUID) -> "Tenancy":
        return cls(tenant_id=tenant_id)

    @classmethod
    def shared_by(cls, tenant_ids: Iterable[UUID]) -> "Tenancy | None":
        """The tenancy of work that is all one tenant's (a consumer's batch of its events); None for several."""
        tenants = set(tenant_ids)
        return cls.of(tenants.pop()) if len(tenants) == 1 else None


NO_TENANT = Tenancy()
ACROSS_TENANTS = Tenancy(across=True)

_tenancy: ContextVar[Tenancy] = ContextVar("claimstream_tenancy", default=NO_TENANT)


def current_tenancy() -> Tenancy:
    return _tenancy.get()


@contextmanager
def acting_as(tenancy: Tenancy) -> Iterator[Tenancy]:
    """Sessions begun inside the block (that were not given a tenancy of their own) work as `tenancy`."""
    token = _tenancy.set(tenancy)
    try:
        yield tenancy
    finally:
        _tenancy.reset(token)


_current: ContextVar[CallContext] = ContextVar(
    "claimstream_call_context",
    default=CallContext(),  # noqa: B039 - frozen dataclass: the shared default cannot be mutated
)


def current_context() -> CallContext:
    return _current.get()


@contextmanager
def call_context(*, correlation_id: UUID | None, causation_id: UUID | None = None) -> Iterator[CallContext]:
    context = CallContext(correlation_id=correlation_id, causation_id=causation_id)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def act_as(actor: str) -> None:
    """Name who acts for the rest of this request (set once it is authenticated; the request's task ends it)."""
    current = _current.get()
    _current.set(CallContext(current.correlation_id, current.causation_id, actor))


def current_actor() -> str:
    """Who the current change is made by, for histories: a token's subject, or `system`."""
    return _current.get().actor or "system"


def trace_ids() -> tuple[str | None, str | None]:
    """The current trace and span ids as hex, for logs."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None, None
    return f"{span_context.trace_id:032x}", f"{span_context.span_id:016x}"


def extract_trace(traceparent: str | None) -> Context | None:
    if not traceparent:
        return None
    return _propagator.extract({"traceparent": traceparent})
