"""The events prior authorization consumes: charge capture's captured charges (the burn-down), voided charges
(units given back) and a practice's overrides of payer facts (the rules its patients' charges are read under),
mapped into its own authorizations at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided, PayerFactsOverridden
from claimstream_platform.messaging.consumer import Batched, Handler

from prior_authorization import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: handlers.on_charge_captured,
    ChargeVoided: handlers.on_charge_voided,
    PayerFactsOverridden: handlers.on_payer_facts_overridden,
}
