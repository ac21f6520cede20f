"""What a service subscribes with: a handler of one event, or a batch handler (`batched(handler)`) that takes a
batch's fresh events of one tenant in a row; the advisory locks its handlers take, named ahead (`Locks`); and how a
batch is cut into runs for them."""

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord

from claimstream_platform.context import call_context
from claimstream_platform.contracts.base import IntegrationEvent, event_class
from claimstream_platform.locks import LockName
from claimstream_platform.messaging.dead_letters import DeadLetter
from claimstream_platform.messaging.envelope import TYPE_HEADER, DecodedEvent, UndecodableEvent, decode

# A handler takes the service's own unit of work (a UnitOfWork with its repositories), hence Any here.
Handler = Callable[[Any, Any], Awaitable[None]]
Delivery = DecodedEvent  # an event and its envelope, as a batch handler receives it
BatchHandler = Callable[[Sequence[Delivery], Any], Awaitable[None]]
# Event class -> the names of the advisory locks (locks.hold_names) its handler takes for an event. A batch holds many
# events, and its handlers would take their locks event by event: two partitions' batches naming the same patients
# in another order deadlocked each other hundreds of times a minute at 50 encounters/s. The consumer takes every
# name of the batch at once, in one order, before the first handler; a handler naming one again asks for nothing
# (locks.hold_ids remembers what the transaction holds).
Locks = Mapping[type[IntegrationEvent], Callable[[Any], Iterable[LockName]]]


@dataclass(frozen=True)
class Batched:
    """A subscription whose handler takes a batch's fresh events of one tenant together, in order."""

    handler: BatchHandler


def batched(handler: BatchHandler) -> Batched:
    return Batched(handler)


@contextmanager
def caused_by(delivery: Delivery | None) -> Iterator[None]:
    """Inside a batch handler: the events published here are caused by `delivery` (correlation, causation); None
    (work no delivery brought, a handler called on its own) leaves the context as it is."""
    if delivery is None:
        yield
        return
    with call_context(correlation_id=delivery.metadata.correlation_id, causation_id=delivery.metadata.event_id):
        yield


def decode_subscribed(
    records: Iterable[ConsumerRecord[bytes, bytes]], subscriptions: Mapping[type[IntegrationEvent], Handler | Batched]
) -> tuple[list[tuple[ConsumerRecord[bytes, bytes], DecodedEvent]], list[DeadLetter]]:
    """The records' events this consumer subscribes to, and a dead letter for each record that cannot be decoded. A
    record of a known type it does not subscribe to is passed over undecoded: validating it would be most of its cost
    here, and the consumers that subscribe to it dead-letter it if it is bad."""
    decoded, dead = [], []
    for record in records:
        if _known_but_not_subscribed(record, subscriptions):
            continue
        try:
            item = decode(record.key, record.value, list(record.headers))
        except UndecodableEvent as error:
            dead.append(DeadLetter(record, "decode", error.reason))
            continue
        if type(item.event) in subscriptions:
            decoded.append((record, item))
    return decoded, dead


def _known_but_not_subscribed(
    record: ConsumerRecord[bytes, bytes], subscriptions: Mapping[type[IntegrationEvent], Handler | Batched]
) -> bool:
    kind = dict(record.headers).get(TYPE_HEADER)  # the last, as decode reads it
    if not isinstance(kind, bytes):
        return False  # decode says what is wrong
    cls = event_class(kind.decode(errors="replace"))
    return cls is not None and cls not in subscriptions


def runs(
    items: Sequence[DecodedEvent], subscriptions: Mapping[type[IntegrationEvent], Handler | Batched]
) -> Iterator[list[DecodedEvent]]:
    """Each tenant's events together, in the order delivered; then consecutive events for the same batch handler go
    together, and every other event goes alone. (A run is handled as its tenant: row-level security admits that
    tenant's rows alone.) Grouping by tenant moves no order that matters, since Kafka orders the events of one subject
    and a subject is one tenant's; a batch of many tenants makes one run per tenant and handler, not one per change."""
    run: list[DecodedEvent] = []
    for item in sorted(items, key=lambda item: item.event.tenant_id):
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


def lock_names(items: Iterable[DecodedEvent], locks: Locks) -> list[LockName]:
    """The advisory locks the handlers of `items` take, as their services name them. An event whose locks cannot be
    named (a field its service's mapping refuses) is left out: its handler refuses it the usual way, alone."""
    names: list[LockName] = []
    for item in items:
        named = locks.get(type(item.event))
        try:
            names.extend(named(item.event) if named else ())
        except Exception:  # the handler meets the same failure, and it is that one's to report
            continue
    return names


def take(fresh: set[Any], event_id: Any) -> bool:
    """True the first time an id claimed in this batch is seen: a batch can hold two copies of one event."""
    if event_id in fresh:
        fresh.remove(event_id)
        return True
    return False
