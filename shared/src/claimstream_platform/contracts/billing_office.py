"""Events the billing office publishes on `billing-office.v1`: the billing company's own business with each
practice (its invoices and credit notes), and deposits that do not meet their remittances.

Amounts are decimals to the cent. No patient data: an invoice counts money, never whose it was.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "billing-office.v1"


class _InvoiceEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "invoice_id"

    invoice_id: UUID


class InvoiceIssued(_InvoiceEvent):
    """A practice's invoice for a month of collections, issued and never altered after (a credit note adjusts it)."""

    event_type: ClassVar[str] = "claimstream.invoice.issued.v1"

    number: str
    month: date  # the month's first day
    issued_on: date
    insurance_collected: Decimal  # net: payments less reversals, recoupments and refunds to payers
    patient_collected: Decimal  # net: payments less refunds
    fees: Decimal  # the percentages and the per-item fees
    minimum_top_up: Decimal  # what the minimum monthly fee added
    total: Decimal


class CreditNoteIssued(_InvoiceEvent):
    """Part of an issued invoice given back to the practice, with the reason."""

    event_type: ClassVar[str] = "claimstream.invoice.credit-note-issued.v1"

    credit_note_id: UUID
    amount: Decimal
    issued_on: date


class DepositMismatch(IntegrationEvent):
    """A remittance with no deposit, or a deposit with no remittance, past the three business days the rule gives
    (45 CFR 162.1603): money nobody can post, or money nobody received."""

    event_type: ClassVar[str] = "claimstream.deposit.mismatch.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "item_id"

    item_id: UUID  # the remittance's or the deposit's id
    kind: Literal["remittance_without_deposit", "deposit_without_remittance"]
    trace_number: str
    amount: Decimal
    since: date
    business_days: int
