"""Events patient billing publishes on `patient-billing.v1`, keyed by patient account: what the patient was left
by the insurance on each visit, and what she paid, what was adjusted, and the credit she holds.

A patient account is one patient (the practice's patient id) at one practice. Amounts are decimals to the cent;
no names, birth dates, member ids, diagnoses or card numbers (a card is a processor's token, never here).
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from claimstream_platform.contracts.base import IntegrationEvent

TOPIC = "patient-billing.v1"
PaymentMethod = Literal["cash", "check", "card_present", "card_online", "autopay"]
AdjustmentKind = Literal["small_balance", "hardship", "bad_debt"]


class AccountEvent(IntegrationEvent):
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "account_id"

    account_id: UUID


class Standing(BaseModel):
    """The account right after a change of its money, as patient billing computes it: what the projection's
    checksum sets beside the ledger (docs/money.md §6)."""

    model_config = ConfigDict(frozen=True)

    sequence: int  # the account's money events so far, this one included: a gap is an event lost
    shares: Decimal  # what the insurance left her on all her visits
    owed: Decimal  # what she owes: every visit's open amount above zero
    held: Decimal  # her money held beyond that: credit, unapplied cash, copays waiting for the insurance


class MoneyMoved(AccountEvent):
    """An event that changes the account's money; `standing` is the account after it (None: published before
    standings were carried)."""

    standing: Standing | None = None


class PatientCharged(MoneyMoved):
    """What the insurance left to the patient on one visit changed by `amount` (negative: less is hers now)."""

    event_type: ClassVar[str] = "claimstream.patient.charged.v1"

    encounter_id: UUID
    service_date: date
    amount: Decimal
    share: Decimal  # the visit's share after the change


class Totals(BaseModel):
    """An account's money to date, from patient billing's own records."""

    model_config = ConfigDict(frozen=True)

    paid: Decimal  # every payment received
    refunded: Decimal  # every refund not refused
    adjusted: Decimal  # every adjustment granted


class AccountStandingAnnounced(MoneyMoved):
    """The account as it stands, with its totals to date, announced once more and moving no money: an opening the
    projection counts the later-numbered events on top of, for an installation upgraded from before money events
    carried their standing (`python -m patient_billing announce-standings`)."""

    event_type: ClassVar[str] = "claimstream.patient.standing-announced.v1"

    totals: Totals | None = None  # None: announced without them, no opening


class Applied(BaseModel):
    model_config = ConfigDict(frozen=True)

    encounter_id: UUID
    amount: Decimal


class PatientPaymentReceived(MoneyMoved):
    """A payment of the patient's: where it went, visit by visit, and what waits unapplied."""

    event_type: ClassVar[str] = "claimstream.patient.payment-received.v1"

    payment_id: UUID
    amount: Decimal
    method: PaymentMethod
    received_on: date
    applied: list[Applied]
    unapplied: Decimal


class PatientAdjusted(MoneyMoved):
    """Part of what the patient owes on a visit forgiven: a small balance, or a hardship a biller approved."""

    event_type: ClassVar[str] = "claimstream.patient.adjusted.v1"

    adjustment_id: UUID
    encounter_id: UUID
    kind: AdjustmentKind
    amount: Decimal
    approved_by: str  # the biller's subject


class CreditBalanceFound(AccountEvent):
    """The account holds more of the patient's money than she owes: an overpaid copay, a prepayment, a share the
    payer lowered after she paid it. It waits for a biller to refund it or apply it."""

    event_type: ClassVar[str] = "claimstream.patient.credit-found.v1"

    credit: Decimal  # the account's whole credit now


class StatementIssued(AccountEvent):
    """A statement went out (or was queued for the mail house): what it asks, by when, and how firmly."""

    event_type: ClassVar[str] = "claimstream.statement.issued.v1"

    statement_id: UUID
    issued_on: date
    due_on: date
    amount_due: Decimal
    stage: Literal["first", "reminder", "past_due", "final"]
    delivery: Literal["email", "print"]
    encounter_ids: list[UUID]  # the visits it asks for


class AccountAwaitingDecision(AccountEvent):
    """The final notice went unanswered: the account is on the practice's list, for a person to decide between
    collections and a write-off (never taken by the machine)."""

    event_type: ClassVar[str] = "claimstream.patient.awaiting-decision.v1"

    since: date
    balance: Decimal


class PatientRefunded(MoneyMoved):
    """Credit paid back to the patient: to her card through the processor, or by check."""

    event_type: ClassVar[str] = "claimstream.patient.refunded.v1"

    refund_id: UUID
    amount: Decimal
    method: Literal["card", "check"]
    taken_from: list[Applied] = []  # what left which visit (the rest was unapplied cash)
    refunded_on: date | None = None  # the day it was asked; None in events before it was added


class PatientRefundFailed(MoneyMoved):
    """The processor refused a card refund: the amount is her credit again, unapplied, for a biller to refund
    another way."""

    event_type: ClassVar[str] = "claimstream.patient.refund-failed.v1"

    refund_id: UUID
    amount: Decimal
    failed_on: date | None = None  # None in events before it was added


class PatientCreditApplied(MoneyMoved):
    """Credit she held put toward another visit she owes on."""

    event_type: ClassVar[str] = "claimstream.patient.credit-applied.v1"

    encounter_id: UUID
    amount: Decimal
    taken_from: list[Applied] = []  # what left which visit (the rest was unapplied cash)


class PaymentPlanCreated(AccountEvent):
    """What she owes spread over monthly installments (charged to her card on each due date when `autopay`)."""

    event_type: ClassVar[str] = "claimstream.payment-plan.created.v1"

    plan_id: UUID
    total: Decimal
    per_month: Decimal
    first_due: date
    autopay: bool


class PaymentPlanEnded(AccountEvent):
    """Paid off, defaulted (two installments missed: the account is back with its statements and dunning), or
    cancelled by a biller."""

    event_type: ClassVar[str] = "claimstream.payment-plan.ended.v1"

    plan_id: UUID
    outcome: Literal["completed", "defaulted", "cancelled"]
    paid: Decimal


class AccountDecided(AccountEvent):
    """The practice decided an account its final notice left unanswered: sent to collections (its statements stop)
    or written off as bad debt (what was open, adjusted visit by visit)."""

    event_type: ClassVar[str] = "claimstream.patient.account-decided.v1"

    decision: Literal["collections", "write_off"]
    balance: Decimal  # what she owed when it was decided
    decided_by: str
