"""The public API between services: event classes, one module per producing service.

Importing this package registers every event class, so a consumer can decode any type it sees.
"""

from claimstream_platform.contracts import (
    access,
    billing_office,
    charge_capture,
    claim_submission,
    denial_management,
    eligibility,
    patient_billing,
    prior_authorization,
    projection,
    remittance_posting,
)
from claimstream_platform.contracts.base import IntegrationEvent, Reason, event_class, registered_events

__all__ = [
    "access",
    "billing_office",
    "IntegrationEvent",
    "Reason",
    "charge_capture",
    "claim_submission",
    "denial_management",
    "eligibility",
    "event_class",
    "patient_billing",
    "prior_authorization",
    "projection",
    "registered_events",
    "remittance_posting",
]
