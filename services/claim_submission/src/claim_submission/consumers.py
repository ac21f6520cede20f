"""The events claim submission consumes, and the handler of each."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.contracts.denial_management import CorrectionRequested
from claimstream_platform.messaging.consumer import Batched, Handler

from claim_submission import lifecycle

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: lifecycle.on_charge_captured,
    ChargeVoided: lifecycle.on_charge_voided,
    CorrectionRequested: lifecycle.on_correction_requested,
}
