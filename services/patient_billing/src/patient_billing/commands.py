"""What a person or a run asks of a patient account (domain.PatientAccount): a payment to take, an adjustment
to grant, a statement that went out."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from claimstream_platform.contracts import patient_billing as events


@dataclass(frozen=True)
class Payment:
    payment_id: UUID
    amount: Decimal
    method: events.PaymentMethod
    received_on: date
    encounter_id: UUID | None = None  # the visit the patient chose; None: the oldest open visits first


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: UUID
    encounter_id: UUID
    kind: events.AdjustmentKind
    amount: Decimal
    reason: str
    approved_by: str


@dataclass(frozen=True)
class Issued:
    """What a statement asked, as its event says it."""

    issued_on: date
    due_on: date
    amount_due: Decimal
    stage: str
    delivery: str
    encounter_ids: tuple[UUID, ...]
