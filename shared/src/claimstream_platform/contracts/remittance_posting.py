"""Events remittance posting publishes on `remittance-posting.v1`: what each 835 did, claim by claim.

Amounts are decimals to the cent; adjustments carry their group (CO, PR, OA, PI, CR) and CARC, remarks their
RARC. These events carry no patient names or member ids.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "remittance-posting.v1"
# paid: nothing denied (a deductible or a contractual write-off is no denial); partially_paid: some of it denied;
# denied: nothing paid and nothing left to the patient, some denied; forwarded only in events posted before the
# `forwarded` flag (a crossover's adjustments were then not read)
Outcome = Literal["paid", "partially_paid", "denied", "forwarded", "reversed", "informational"]


class PostedAdjustment(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: str  # CO contractual, PR patient responsibility, OA other, PI payer initiated, CR correction
    reason: str  # CARC
    amount: Decimal
    # what the amount means (claimstream_platform.adjustments, as in force on the remittance's date): the
    # consumers book it by this, so all of them agree; absent from events posted before it was added
    adjustment_class: str | None = None


class PostedLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_number: int | None  # the claim's line it matched (None: the payer's line matched none)
    code: str  # as paid
    billed_code: str | None = None  # SVC06: the code billed, when the payer paid another
    modifiers: list[str]
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None = None
    adjustments: list[PostedAdjustment]
    remarks: list[str]  # RARCs (LQ*HE)
    units_paid: Decimal | None = None  # SVC05 (one when the payer left it out); None in events before it was added


class _RemittanceEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "remittance_id"

    remittance_id: UUID


class RemittanceReceived(_RemittanceEvent):
    """An 835 transaction set was stored: balanced and posted, or held for review with its differences."""

    event_type: ClassVar[str] = "claimstream.remittance.received.v1"

    payer_id: str
    trace_number: str  # TRN02: the check or EFT number
    total: Decimal  # BPR02
    claims: int
    balanced: bool
    method: str | None = None  # BPR04: ACH, CHK, NON (no payment) ...; None in events before it was added
    paid_on: date | None = None  # BPR16: the day the payer's money is to reach the bank


class _ClaimPostingEvent(_RemittanceEvent):
    subject_field: ClassVar[str] = "claim_id"

    claim_id: UUID
    patient_control_number: str
    payer_id: str


class PaymentPosted(_ClaimPostingEvent):
    """One claim of an 835 posted: what was paid, allowed, owed by the patient and adjusted, line by line."""

    event_type: ClassVar[str] = "claimstream.payment.posted.v1"

    payer_claim_number: str | None
    claim_status: str  # CLP02
    outcome: Outcome
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None
    patient_responsibility: Decimal
    adjustments: list[PostedAdjustment]  # claim and line adjustments together
    remarks: list[str]  # claim RARCs (MOA/MIA)
    lines: list[PostedLine]
    paid_on: date | None
    # CLP02 19/20/21: processed, and forwarded by the payer itself to the next payer (a crossover): its
    # adjustments stand as for any claim; only billing the next payer by hand is left out
    forwarded: bool = False


class ClaimDenied(_ClaimPostingEvent):
    """The payer denied money it was billed: the whole claim (`level` claim with the claim's denials), one line
    (`line_number`), or the claim-level adjustments of a claim otherwise paid. Only amounts of the denial class
    count (docs/money.md): a deductible, a contractual write-off or a prior payer's share is never a denial."""

    event_type: ClassVar[str] = "claimstream.claim.denied.v1"

    level: Literal["claim", "line"]
    line_number: int | None = None
    code: str | None = None
    amount: Decimal  # the amount denied: the sum of the denial-class adjustments it concerns
    adjustments: list[PostedAdjustment]  # those of the claim or line, each with its class
    remarks: list[str]
    paid_on: date | None = None  # the remittance's date (BPR16): appeal windows count from it


class ClaimReversed(_ClaimPostingEvent):
    """CLP02 22: the payer took back an earlier payment of the claim (a corrected payment usually follows)."""

    event_type: ClassVar[str] = "claimstream.claim.reversed.v1"

    payer_claim_number: str | None
    amount: Decimal  # the payment reversed (positive)


class ProviderAdjustmentPosted(_RemittanceEvent):
    """A PLB amount on the provider ledger: interest, a recoupment, a forward balance; linked to the claim whose
    payer claim number it names, when we know it."""

    event_type: ClassVar[str] = "claimstream.provider-adjustment.posted.v1"

    payee_npi: str
    reason: str  # PLB03-1
    reference: str
    amount: Decimal  # positive reduces the payment
    claim_id: UUID | None = None
    # recoupment (money taken back for the claim named), interest (income, not A/R) or provider (a balance of the
    # provider's, outside any claim): claimstream_platform.adjustments; absent from events before it was added
    kind: str | None = None
    paid_on: date | None = None  # its remittance's BPR16; None in events before it was added


class RemittanceUnmatched(_RemittanceEvent):
    """A claim payment that matches none of the tenant's claims: in the exceptions queue with its reason."""

    event_type: ClassVar[str] = "claimstream.remittance.unmatched.v1"

    patient_control_number: str
    payer_claim_number: str | None
    paid: Decimal
    reason: str


class PaymentVarianceDetected(_ClaimPostingEvent):
    """A paid line allowed below its contract rate (underpaid), or paid as another code than billed (downcoded)."""

    event_type: ClassVar[str] = "claimstream.payment.variance-detected.v1"

    line_number: int | None
    code: str  # billed
    paid_code: str
    kind: Literal["underpaid", "downcoded"]
    expected: Decimal | None  # the contract amount (None: no rate on file)
    allowed: Decimal
    difference: Decimal | None
    reasons: list[str]  # group-CARC pairs of the line, e.g. CO-45


class PayerSilent(IntegrationEvent):
    """A payer has accepted claims and sent no payment for them for the configured number of days."""

    event_type: ClassVar[str] = "claimstream.payer.silent.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "payer_id"

    payer_id: str
    claims_waiting: int
    oldest_accepted_on: date
    last_payment_on: date | None


class PayerRefundSent(IntegrationEvent):
    """A biller sent a payer back what it overpaid on a claim (on its refund request: a check, or its portal):
    the ledger takes it as money the payer has back, as if it had recouped it."""

    event_type: ClassVar[str] = "claimstream.payer-refund.sent.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "claim_id"

    claim_id: UUID
    refund_id: UUID
    payer_id: str
    amount: Decimal  # positive: returned to the payer
    reference: str  # the check's number or the payer's request reference
    sent_on: date
