"""The projection reads every topic: each registered event type, all into one batch handler, so a partition's
batch is stored and folded with a few statements."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent, registered_events
from claimstream_platform.messaging.consumer import Batched, Handler, batched

from projection import handlers

_ALL = batched(handlers.on_events)

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = dict.fromkeys(registered_events().values(), _ALL)
