"""The events eligibility consumes: charge capture's captured charges (a visit whose coverage is checked unless a
fresh answer exists), mapped into its own check at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.messaging.consumer import Batched, Handler

from eligibility import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: handlers.on_charge_captured,
}
