"""The projection's read model, pure: the facts it keeps, and the claims, ledger entries and denial cases an
encounter's facts fold into (domain.fold).

Order tolerance: a fold never depends on the order facts arrived in. Every fact keeps the time its producer
recorded it (the CloudEvents `time`: the start of the producer's transaction that wrote the outbox row), and an
encounter is folded anew from all its stored facts, sorted by (time, lifecycle rank, event id), whenever one of them
arrives. The rank breaks ties within one clock tick (a claim is created before it is submitted; a reversal before
the corrected payment of the same 835). A fact for a claim whose creation has not arrived yet is kept and takes effect
when the encounter is folded again; one stamped before its claim's creation takes effect at it (domain.fold).

Money (docs/money.md): each claim line keeps a ledger of dated entries for two parties, the insurance the claim is
billed to and the patient. An entry's amount raises (+) or lowers (-) what that party owes; a balance on any date
is the sum of the entries up to it. Money is only ever moved, never set: a claim that is replaced hands its open
balances to the claim that replaces it, and whatever is booked on it afterwards (a reversal, a recoupment) goes to
that claim too, so every dollar stays on one line, one party, once.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

ZERO = Decimal(0)
NEXT = {"secondary": "primary", "tertiary": "secondary"}
INSURANCE, PATIENT = "insurance", "patient"
Line = int | None  # a claim's line number; None for what the payer said of the claim as a whole

# Ties within one clock tick resolve in lifecycle order.
RANK = {
    "encounter.received": 0, "charge.captured": 1, "charge.rejected": 1, "charge.voided": 2, "claim.created": 3,
    "claim.held": 4, "claim.submitted": 5, "claim.acknowledged": 6, "claim.rejected": 7, "claim.accepted": 7,
    "claim.resubmitted": 8, "payment.posted": 9, "claim.denied": 10, "claim.reversed": 10,
    "payment.variance-detected": 10, "provider-adjustment.posted": 10, "payer-refund.sent": 10, "denial.triaged": 11,
    "claim.correction-requested": 12, "denial.deadline-approaching": 12, "denial.appeal-filed": 12,
    "denial.reopened": 12, "denial.resolved": 13, "claim.voided": 14,
}  # fmt: skip


@dataclass(frozen=True)
class Fact:
    """One event as the projection keeps it: its identity, time, source, and the few fields it needs (no PHI)."""

    event_id: UUID
    type: str  # the CloudEvents type without prefix and version: claim.created
    at: datetime
    source: str
    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID | None
    claim_id: UUID | None
    data: Mapping[str, Any]


class Ordered(Protocol):
    """A fact, or a stored fact's row: what ordering needs of it."""

    @property
    def at(self) -> datetime: ...
    @property
    def type(self) -> str: ...
    @property
    def event_id(self) -> UUID: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


def order(fact: Ordered) -> tuple[datetime, float, str]:
    """Event time, then lifecycle rank, then event id: the one order of an encounter's facts (folds, timelines).
    A reversal comes before the other postings of its instant: an 835 takes a payment back before it pays anew."""
    rank: float = RANK.get(fact.type, 20)
    if fact.type == "payment.posted" and fact.data.get("outcome") == "reversed":
        rank -= 0.5
    return fact.at, rank, str(fact.event_id)


@dataclass
class Encounter:
    external_id: str
    service_date: date
    version: int = 0
    provider_npi: str | None = None
    patient_ref: str | None = None  # the practice's patient id (no name): what patient balances group by


@dataclass(frozen=True)
class Entry:
    claim_id: UUID
    line_number: Line
    at: datetime
    party: str  # insurance | patient
    kind: str  # docs/money.md: charge, payment, contractual, payment_adjustment, patient_responsibility, ...
    amount: Decimal


@dataclass
class ClaimView:
    claim_id: UUID
    tenant_id: UUID
    practice_id: UUID | None
    encounter_id: UUID
    payer_id: str
    responsibility: str
    frequency: str
    replaces_claim_id: UUID | None
    patient_control_number: str
    service_date: date
    procedure_code: str | None
    created_at: datetime
    lines: dict[Line, Decimal] = field(default_factory=dict)  # each line's charge as billed
    status: str = "ready"
    payer_claim_number: str | None = None
    charged: Decimal = ZERO
    allowed: Decimal = ZERO
    paid: Decimal = ZERO
    contractual: Decimal = ZERO
    payment_adjustments: Decimal = ZERO  # sequestration, MIPS: settled for good, never owed by anyone
    denied: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    written_off: Decimal = ZERO
    recouped: Decimal = ZERO  # taken back at the provider level (PLB) for this claim
    interest: Decimal = ZERO  # the payer's interest on this claim (PLB L6): income, not a payment of the charge
    underpaid: Decimal = ZERO
    insurance_balance: Decimal = ZERO
    patient_balance: Decimal = ZERO
    submitted_at: datetime | None = None
    held_at: datetime | None = None
    rejected_at: datetime | None = None
    accepted_at: datetime | None = None
    adjudicated_at: datetime | None = None
    paid_at: datetime | None = None
    closed_at: datetime | None = None  # replaced or voided
    succeeded_by: UUID | None = None  # the claim that replaced it: what is booked on it goes there
    took_over_from: UUID | None = None  # a later payer's claim: the claim whose patient share it took over
    forwarded: bool = False  # its payer forwarded it to the crossover payer itself (CLP02 19/20/21)
    crossover_share: dict[Line, Decimal] = field(default_factory=dict)  # per line: the crossover payer's to answer
    first_denied: bool = False  # its first adjudication denied some of it (a denial-class amount)
    first_denied_amount: Decimal = ZERO
    denial_category: str | None = None
    last_event_at: datetime | None = None
    facts: int = 0

    @property
    def outstanding(self) -> Decimal:
        return self.insurance_balance + self.patient_balance


@dataclass
class DenialCase:
    case_id: UUID
    claim_id: UUID
    payer_id: str
    kind: str  # denial | rejection
    category: str
    codes: list[str]
    recoverable: Decimal
    opened_at: datetime
    automatic: bool
    line_number: Line = None  # a line's denial; None for the claim's
    resolution: str | None = None
    resolved_at: datetime | None = None
    recovered: Decimal = ZERO
    written_off: Decimal = ZERO


@dataclass
class Folded:
    encounter: Encounter | None = None
    claims: dict[UUID, ClaimView] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    cases: dict[UUID, DenialCase] = field(default_factory=dict)
    balances: dict[tuple[UUID, Line, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def live(self, claim: ClaimView) -> ClaimView:
        """The claim money booked on `claim` lands on: itself, or the claim that replaced it (and so on)."""
        while claim.succeeded_by is not None and claim.succeeded_by in self.claims:
            claim = self.claims[claim.succeeded_by]
        return claim

    def book(self, claim: ClaimView, at: datetime, party: str, kind: str, amount: Decimal, line: Line = None) -> None:
        """An entry on `claim` (or, once it was replaced, on the claim that replaced it), on one line and party."""
        target = self.live(claim)
        self.put(target, at, party, kind, amount, line if line in target.lines else None)

    def put(self, claim: ClaimView, at: datetime, party: str, kind: str, amount: Decimal, line: Line) -> None:
        """An entry on exactly this claim and line."""
        if not amount:
            return
        if party == INSURANCE:
            claim.insurance_balance += amount
        else:
            claim.patient_balance += amount
        self.balances[(claim.claim_id, line, party)] += amount
        self.entries.append(Entry(claim.claim_id, line, at, party, kind, amount))

    def balance(self, claim: ClaimView, party: str, line: Line = None) -> Decimal:
        return self.balances.get((claim.claim_id, line, party), ZERO)

    def line_balances(self, claim: ClaimView, party: str) -> dict[Line, Decimal]:
        return {line: amount for (c, line, p), amount in self.balances.items() if c == claim.claim_id and p == party}


def money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))
