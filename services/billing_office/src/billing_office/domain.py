"""The billing company's business with one practice, pure: the fee agreement in force, a month's invoice computed
from that month's collections, and the invoice aggregate, which records its events and is never altered once
issued (a credit note gives part of it back; a payment of the practice's settles it).

What counts as a collection (docs/billing-office.md): the insurance's payments by the 835's payment date (BPR16),
less its reversals, its recoupments (PLB) and what was refunded to payers; the patients' payments by their date,
less what was refunded to them. Interest a payer adds (PLB L6) counts only when the agreement says so.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from uuid import UUID

from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.contracts import billing_office as events
from claimstream_platform.dates import add_months
from claimstream_platform.errors import RuleViolation

ZERO, CENT, HUNDRED = Decimal("0.00"), Decimal("0.01"), Decimal(100)
Party = Literal["insurance", "patient"]
# payment and reversal (PaymentPosted, signed), recoupment (PLB), payer_refund, interest (PLB L6); refund and
# refund_failed (the patient's card or check refund, and its refusal)
INTEREST = "interest"
MAX_MONTHS_PER_PASS = 24


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def month_end(month: date) -> date:
    """The last day of the month that starts on `month`."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_due(first_effective: date, issued: set[date], today: date) -> list[date]:
    """The ended months from the first agreement's on that have no invoice yet, oldest first (a practice far
    behind catches up over several passes)."""
    due: list[date] = []
    month = first_effective
    while month_end(month) < today and len(due) < MAX_MONTHS_PER_PASS:
        if month not in issued:
            due.append(month)
        month = add_months(month, 1)
    return due


@dataclass(frozen=True)
class Agreement:
    """What a practice pays the billing company, from a month's first day until the next agreement."""

    id: UUID
    effective_from: date
    insurance_percent: Decimal  # of net insurance collections, e.g. 6.50
    patient_percent: Decimal  # of net patient collections
    minimum_fee: Decimal = ZERO  # a month's fees are at least this
    per_claim_fee: Decimal = ZERO  # each claim first sent that month
    per_statement_fee: Decimal = ZERO  # each patient statement issued that month
    include_interest: bool = False

    def __post_init__(self) -> None:
        if self.effective_from.day != 1:
            raise RuleViolation("an agreement takes effect on a month's first day", field="effective_from")


def in_force(agreements: Iterable[Agreement], month: date) -> Agreement | None:
    """The agreement that governs the month: the latest one effective on its first day."""
    effective = [a for a in agreements if a.effective_from <= month]
    return max(effective, key=lambda a: a.effective_from, default=None)


@dataclass(frozen=True)
class Collection:
    party: Party
    kind: str
    on: date
    amount: Decimal  # signed: positive is money the practice received


def collection_of(row: Any) -> Collection:
    """A stored collection as the figures take it."""
    return Collection(row.party, row.kind, row.collected_on, Decimal(row.amount))


@dataclass(frozen=True)
class Figures:
    """A month's invoice, figure by figure: what was collected, each fee, and the total."""

    insurance_collected: Decimal
    patient_collected: Decimal
    interest: Decimal  # what payers added as interest (in insurance_collected only when the agreement says so)
    insurance_fee: Decimal
    patient_fee: Decimal
    claims: int
    claim_fees: Decimal
    statements: int
    statement_fees: Decimal
    minimum_top_up: Decimal
    total: Decimal

    @property
    def fees(self) -> Decimal:
        return self.insurance_fee + self.patient_fee + self.claim_fees + self.statement_fees


def figures(agreement: Agreement, collections: Sequence[Collection], claims: int, statements: int) -> Figures:
    """The invoice's figures: each party's percentage of its net collections (nothing on a month it is negative),
    the per-item fees, and the minimum fee's top-up, each rounded to the cent once."""
    interest = sum((c.amount for c in collections if c.kind == INTEREST), ZERO)
    counted = [c for c in collections if c.kind != INTEREST or agreement.include_interest]
    insurance = sum((c.amount for c in counted if c.party == "insurance"), ZERO)
    patient = sum((c.amount for c in counted if c.party == "patient"), ZERO)
    insurance_fee = cents(max(insurance, ZERO) * agreement.insurance_percent / HUNDRED)
    patient_fee = cents(max(patient, ZERO) * agreement.patient_percent / HUNDRED)
    claim_fees, statement_fees = (
        cents(claims * agreement.per_claim_fee),
        cents(statements * agreement.per_statement_fee),
    )
    fees = insurance_fee + patient_fee + claim_fees + statement_fees
    top_up = max(cents(agreement.minimum_fee) - fees, ZERO)
    return Figures(
        insurance_collected=insurance,
        patient_collected=patient,
        interest=interest,
        insurance_fee=insurance_fee,
        patient_fee=patient_fee,
        claims=claims,
        claim_fees=claim_fees,
        statements=statements,
        statement_fees=statement_fees,
        minimum_top_up=top_up,
        total=fees + top_up,
    )


@dataclass
class Invoice:
    """A practice's invoice for a month: issued once with its figures; credit notes and payments after."""

    id: UUID
    tenant_id: UUID
    practice_id: UUID
    month: date
    number: str
    issued_on: date
    total: Decimal
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    _events: list[IntegrationEvent] = field(default_factory=list, repr=False)

    @property
    def owed(self) -> Decimal:
        return self.total - self.credited - self.paid

    def issued(self, figures: Figures) -> None:
        self._record(
            events.InvoiceIssued,
            number=self.number,
            month=self.month,
            issued_on=self.issued_on,
            insurance_collected=figures.insurance_collected,
            patient_collected=figures.patient_collected,
            fees=figures.fees,
            minimum_top_up=figures.minimum_top_up,
            total=figures.total,
        )

    def credit(self, credit_note_id: UUID, amount: Decimal, on: date) -> None:
        """Part of the invoice given back: at most what the earlier credit notes left of it."""
        if amount > self.total - self.credited:
            raise RuleViolation(f"at most what is left to credit ({self.total - self.credited})", field="amount")
        self.credited += amount
        self._record(events.CreditNoteIssued, credit_note_id=credit_note_id, amount=amount, issued_on=on)

    def receive(self, amount: Decimal) -> None:
        """The practice paid: at most what it owes on the invoice."""
        if amount > self.owed:
            raise RuleViolation(f"at most what the practice owes on it ({self.owed})", field="amount")
        self.paid += amount

    def take_events(self) -> list[IntegrationEvent]:
        taken, self._events = self._events, []
        return taken

    def _record(self, event: type[IntegrationEvent], **fields: object) -> None:
        ids = {"tenant_id": self.tenant_id, "practice_id": self.practice_id, "invoice_id": self.id}
        self._events.append(event(**ids, **fields))
