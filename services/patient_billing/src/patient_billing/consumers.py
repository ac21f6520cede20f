"""The events patient billing consumes: the projection's word on what the insurance left the patient on a visit
(the ledger is that fact's one home), and charge capture's charges for the patient's name and postal address (what
statements go to), each mapped into the account at the edge (handlers.py), a batch's run at a time. Each locks
the patient's account row; a batch's accounts are named ahead, so that the consumer locks them all at once, in one
order, before any row."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.contracts.projection import PatientShareChanged
from claimstream_platform.messaging.consumer import Batched, Handler, Locks, batched

from patient_billing import handlers
from patient_billing.repository.accounts import account_lock

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    PatientShareChanged: batched(handlers.on_patient_shares_changed),
    ChargeCaptured: batched(handlers.on_charges_captured),
}


def _account(event: PatientShareChanged | ChargeCaptured) -> list[str]:
    """The patient's account (`Accounts.of_patients`)."""
    patient = event.patient.external_id if isinstance(event, ChargeCaptured) else event.patient_ref
    return [account_lock(event.tenant_id, event.practice_id, patient)] if event.practice_id and patient else []


LOCKS: Locks = {PatientShareChanged: _account, ChargeCaptured: _account}
