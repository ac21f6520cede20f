"""Remittance posting's own model of the claims it expects to be paid for, mapped at the edge from claim
submission's events (`ClaimCreated`, `ClaimAccepted`). Pure."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class KnownLine:
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    amount: Decimal
    control_number: str  # REF*6R as the 837P wrote it


@dataclass(frozen=True)
class KnownClaim:
    claim_id: UUID
    tenant_id: UUID
    practice_id: UUID | None
    patient_control_number: str
    payer_id: str
    payer_claim_number: str | None
    lines: tuple[KnownLine, ...]
    service_date: date
    responsibility: str = "primary"  # billed to the primary, or to a later payer with the earlier payments
