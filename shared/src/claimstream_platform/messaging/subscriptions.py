"""What a service subscribes with: a handler of one event, or a batch handler (`batched(handler)`) that takes the
fresh events of a partition batch in a row; and how a batch is cut into runs for them."""

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from claimstream_platform.context import call_context
from claimstream_platform.contracts.base import IntegrationEvent
from claimstream_platform.messaging.envelope import DecodedEvent

# A handler takes the service's own unit of work (a UnitOfWork with its repositories), hence Any here.
Handler = Callable[[Any, Any], Awaitable[None]]
Delivery = DecodedEvent  # an event and its envelope, as a batch handler receives it
BatchHandler = Callable[[Sequence[Delivery], Any], Awaitable[None]]


@dataclass(frozen=True)
class Batched:
    """A subscription whose handler takes the fresh events of a partition batch together, in order."""

    handler: BatchHandler


def batched(handler: BatchHandler) -> Batched:
    return Batched(handler)


@contextmanager
def caused_by(delivery: Delivery) -> Iterator[None]:
    """Inside a batch handler: the events published here are caused by `delivery` (correlation, causation)."""
    with call_context(correlation_id=delivery.metadata.correlation_id, causation_id=delivery.metadata.event_id):
        yield


def runs(
    items: Sequence[DecodedEvent], subscriptions: Mapping[type[IntegrationEvent], Handler | Batched]
) -> Iterator[list[DecodedEvent]]:
    """Consecutive events of one tenant for the same batch handler go together; every other event goes alone. Order
    is kept. (A run is handled as its tenant: row-level security admits that tenant's rows alone.)"""
    run: list[DecodedEvent] = []
    for item in items:
        subscription = subscriptions[type(item.event)]
        if run and isinstance(subscription, Batched) and _together(run[0], item, subscription, subscriptions):
            run.append(item)
            continue
        if run:
            yield run
        run = [item]
        if not isinstance(subscription, Batched):
            yield run
            run = []
    if run:
        yield run


def _together(
    first: DecodedEvent,
    item: DecodedEvent,
    subscription: Batched,
    subscriptions: Mapping[type[IntegrationEvent], Handler | Batched],
) -> bool:
    return subscriptions[type(first.event)] is subscription and first.event.tenant_id == item.event.tenant_id


def take(fresh: set[Any], event_id: Any) -> bool:
    """True the first time an id claimed in this batch is seen: a batch can hold two copies of one event."""
    if event_id in fresh:
        fresh.remove(event_id)
        return True
    return False
