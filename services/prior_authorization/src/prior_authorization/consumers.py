"""The events prior authorization consumes: charge capture's captured charges (the burn-down) and voided charges
(units given back), mapped into its own authorizations at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.messaging.consumer import Batched, Handler

from prior_authorization import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: handlers.on_charge_captured,
    ChargeVoided: handlers.on_charge_voided,
}
