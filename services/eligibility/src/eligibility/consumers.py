"""The events eligibility consumes: charge capture's captured charges (a visit whose coverage is checked unless a
fresh answer exists, and a charge against the patient's Good Faith Estimates) and voided charges, mapped into its
own checks and estimates at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.messaging.consumer import Batched, Handler

from eligibility import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: handlers.on_charge_captured,
    ChargeVoided: handlers.on_charge_voided,
}
