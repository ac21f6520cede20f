"""The events identity consumes: every service's `AccessRecorded` (its own included), appended to the access log."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.access import AccessRecorded
from claimstream_platform.messaging.consumer import Batched, Handler

from identity import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    AccessRecorded: handlers.on_access_recorded,
}
