"""The events prior authorization consumes: charge capture's captured charges (the burn-down, a run of them at a
time: charges.py), voided charges (units given back) and a practice's overrides of payer facts (the rules its
patients' charges are read under), mapped into its own authorizations at the edge (handlers.py); and the lock a
captured charge takes, named ahead so that the consumer takes a whole batch's at once, in one order."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided, PayerFactsOverridden
from claimstream_platform.messaging.consumer import Batched, Handler, Locks, batched

from prior_authorization import charges, handlers
from prior_authorization.repository.visits import count_lock

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: batched(charges.on_charges_captured),
    ChargeVoided: handlers.on_charge_voided,
    PayerFactsOverridden: handlers.on_payer_facts_overridden,
}


def _count(event: ChargeCaptured) -> list[str]:
    """The patient's charges with the payer (`charges.on_charge_captured` counts the visit under it)."""
    if event.practice_id is None:
        return []
    return [count_lock(event.tenant_id, event.practice_id, event.patient.external_id, event.coverage.payer_id)]


LOCKS: Locks = {ChargeCaptured: _count}
