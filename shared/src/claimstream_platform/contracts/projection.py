"""Events the projection publishes on `projection.v1`, keyed by encounter.

The projection keeps the ledger (docs/money.md §4): for every claim line, what the insurance and the patient owe.
What the insurance has left to the patient on a visit is therefore its fact, announced here whenever it changes, so
that the patient's account (patient billing) takes it from its one home instead of folding the payers' postings a
second time. Amounts are decimals to the cent; no names, birth dates, member ids or diagnoses.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "projection.v1"


class ShareReason(BaseModel):
    """Why the patient owes part of the visit: a payer's patient-responsibility adjustment (group and CARC), net of
    reversals, as the payers posted it."""

    model_config = ConfigDict(frozen=True)

    group: str
    reason: str
    amount: Decimal


class PatientShareChanged(IntegrationEvent):
    """What the insurance has left to the patient on one visit (all its claims, every payer) changed.

    The figures are the visit's as of the `version`-th fact the projection folded for it: a consumer keeps the
    highest version it has seen, so a late or repeated announcement never undoes a newer one."""

    event_type: ClassVar[str] = "claimstream.patient-share.changed.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "encounter_id"

    encounter_id: UUID
    patient_ref: str | None  # the practice's patient id
    service_date: date
    version: int  # how many facts of the visit were folded: grows with every one
    share: Decimal  # the patient's balance as the insurance left it: cost share and agreed non-covered amounts
    charged: Decimal  # the visit's charge (its live primary claims)
    insurance_paid: Decimal  # every payer's payments, net of reversals and recoupments
    adjusted: Decimal  # contractual and payment adjustments
    written_off: Decimal
    insurance_open: Decimal  # still owed by the insurance
    reasons: list[ShareReason] = []  # the payers' words for the share (a crossover's held part is not hers yet)
