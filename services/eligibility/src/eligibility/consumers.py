"""The events eligibility consumes: charge capture's captured charges (a visit whose coverage is checked unless a
fresh answer exists, and a charge against the patient's Good Faith Estimates) and voided charges, mapped into its
own checks and estimates at the edge (handlers.py); and the lock a captured charge takes, named ahead so that the
consumer takes a whole batch's at once, in one order."""

from collections.abc import Mapping

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts.charge_capture import ChargeCaptured, ChargeVoided
from claimstream_platform.messaging.consumer import Batched, Handler, Locks, batched

from eligibility import handlers
from eligibility.repository.checks import coverage_lock

SUBSCRIPTIONS: Mapping[type[IntegrationEvent], Handler | Batched] = {
    ChargeCaptured: batched(handlers.on_charges_captured),
    ChargeVoided: handlers.on_charge_voided,
}


def _coverage(event: ChargeCaptured) -> list[str]:
    """The coverage its visit asks about (`handlers.ask_all_later` stores the check under it)."""
    return [coverage_lock(handlers.visit_check(event))] if event.practice_id else []


LOCKS: Locks = {ChargeCaptured: _coverage}
