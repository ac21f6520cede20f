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


EnrollmentStatus = Literal["not_started", "submitted", "pending", "active", "rejected"]
# What a payer enrolls a provider for, each on its own: claims (837), remittances (835), claim status (276/277),
# eligibility (270/271, where the payer requires it).
Transaction = Literal["claims", "remittance", "claim_status", "eligibility"]
CredentialStatus = Literal["pending", "active", "denied", "terminated"]


class EnrollmentChanged(IntegrationEvent):
    """A provider's or group's enrollment with a payer for one kind of transaction, as it stands now."""

    event_type: ClassVar[str] = "claimstream.enrollment.changed.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "enrollment_id"

    enrollment_id: UUID
    payer_id: str
    npi: str  # the billing provider's (a group's type-2 NPI, or a solo clinician's)
    tax_id: str
    transaction: Transaction
    status: EnrollmentStatus
    effective_from: date | None  # the payer's effective date, once active
    clearinghouse: str | None  # the one it runs through (a payer sends ERAs through one at a time)


class CredentialChanged(IntegrationEvent):
    """A clinician's credentialing with a payer in a state, as it stands now: what the payer pays them from."""

    event_type: ClassVar[str] = "claimstream.credential.changed.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "credential_id"

    credential_id: UUID
    npi: str  # the rendering (or supervising) clinician's
    payer_id: str
    state: str  # two letters: where the clinician practises for that payer (the patient's, for telehealth)
    status: CredentialStatus
    effective_from: date | None
    effective_to: date | None


class PayerChecksSet(IntegrationEvent):
    """Whether a practice's claims to a payer wait for its enrollment and its clinicians' credentialing (off until
    the practice turns them on, so an installation without records keeps billing)."""

    event_type: ClassVar[str] = "claimstream.payer-checks.set.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "payer_id"

    payer_id: str
    enrollment: bool
    credentialing: bool
