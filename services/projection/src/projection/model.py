"""The projection's read model, pure: the facts it keeps, and the claims, ledger entries and denial cases an
encounter's facts fold into (domain.fold).

Order tolerance: a fold never depends on the order facts arrived in. Every fact keeps the time its producer
recorded it (the CloudEvents `time`, set when the producer's transaction wrote the outbox row), and an encounter
is folded anew from all its stored facts, sorted by (time, lifecycle rank, event id), whenever one of them arrives.
The rank breaks ties within one clock tick (a claim is created before it is submitted). A fact for a claim whose
creation has not arrived yet is kept and takes effect when the encounter is folded again.

Money: each claim keeps a ledger of dated entries for two parties, the insurance it is billed to and the patient.
An entry's amount raises (+) or lowers (-) what that party owes on that claim; the balance on any date is the sum
of the entries up to it, which is what aging and balances as of a past date read. The rules (docs/projection.md):
the primary claim opens with its charge; a later payer's claim takes over the patient share the earlier payer left;
payments and contractual write-offs lower the paying party; patient responsibility moves from insurance to
patient; a denial leaves the balance open until denial management resolves it; a replaced or voided claim is
closed to zero and stays there.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

ZERO = Decimal(0)
CONTRACTUAL = frozenset({("CO", "45"), ("CO", "253")})  # above the fee schedule; sequestration
PRIOR_PAYER = ("OA", "23")  # on a later payer's claim: what the earlier payers already settled
NEXT = {"secondary": "primary", "tertiary": "secondary"}

# Ties within one clock tick resolve in lifecycle order.
RANK = {
    "encounter.received": 0, "charge.captured": 1, "charge.rejected": 1, "charge.voided": 2, "claim.created": 3,
    "claim.held": 4, "claim.submitted": 5, "claim.acknowledged": 6, "claim.rejected": 7, "claim.accepted": 7,
    "claim.resubmitted": 8, "payment.posted": 9, "claim.denied": 10, "claim.reversed": 10,
    "payment.variance-detected": 10, "denial.triaged": 11, "claim.correction-requested": 12,
    "denial.deadline-approaching": 12, "denial.appeal-filed": 12, "denial.resolved": 13, "claim.voided": 14,
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


def order(fact: Ordered) -> tuple[datetime, int, str]:
    """Event time, then lifecycle rank, then event id: the one order of an encounter's facts (folds, timelines)."""
    return fact.at, RANK.get(fact.type, 20), str(fact.event_id)


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
    at: datetime
    party: str  # insurance | patient
    kind: str  # charge, transferred, payment, contractual, patient_responsibility, write_off, replaced, voided
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
    status: str = "ready"
    payer_claim_number: str | None = None
    charged: Decimal = ZERO
    allowed: Decimal = ZERO
    paid: Decimal = ZERO
    contractual: Decimal = ZERO
    denied: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    written_off: Decimal = ZERO
    underpaid: Decimal = ZERO
    insurance_balance: Decimal = ZERO
    patient_balance: Decimal = ZERO
    submitted_at: datetime | None = None
    held_at: datetime | None = None
    rejected_at: datetime | None = None
    accepted_at: datetime | None = None
    adjudicated_at: datetime | None = None
    paid_at: datetime | None = None
    closed_at: datetime | None = None  # replaced or voided: its balance stays at zero
    first_denied: bool = False  # its first adjudication denied it, whole or in part (PR alone is no denial)
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

    def book(self, claim: ClaimView, at: datetime, party: str, kind: str, amount: Decimal) -> None:
        if not amount:
            return
        if party == "insurance":
            claim.insurance_balance += amount
        else:
            claim.patient_balance += amount
        self.entries.append(Entry(claim.claim_id, at, party, kind, amount))

    def close(self, claim: ClaimView, at: datetime, kind: str) -> None:
        self.book(claim, at, "insurance", kind, -claim.insurance_balance)
        self.book(claim, at, "patient", kind, -claim.patient_balance)


def money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))
