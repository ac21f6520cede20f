"""The events patient billing consumes: the projection's word on what the insurance left the patient on a visit
(the ledger is that fact's one home), and charge capture's charges for the patient's name and postal address (what
statements go to), each mapped into the account at the edge (handlers.py)."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.contracts.projection import PatientShareChanged
from claimstream_platform.messaging.consumer import Batched, Handler

from patient_billing import handlers

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    PatientShareChanged: handlers.on_patient_share_changed,
    ChargeCaptured: handlers.on_charge_captured,
}
