"""The money checksum of an encounter, pure (docs/money.md): its charge, from its claims, against where every
dollar of it went, from the ledger. The same sums in SQL answer `GET /v1/ledger/check` (repository/checks.py).

    charged = paid (net of reversals and recoupments) + adjusted (contractual and payment adjustments)
              + written off + the patient's balance + the open insurance balance

`charged` is the charge of the encounter's live primary claims (a replaced or voided claim's charge does not
count); the right side sums the ledger's entries by kind. Neither side is computed from the other: a charge booked
twice, money lost when a claim closes, or a dollar booked without its counterpart shows as a difference.
OA-23 (a prior payer's part) and interest stand outside: they are no part of the charge.

The patients' balance is then followed into patient billing, per tenant (`PatientSide`, docs/money.md §6): what
the ledger left the patients against what they paid, were refunded, were forgiven, still owe and hold in credit.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from projection.model import INSURANCE, PATIENT, ZERO, ClaimView, Folded

PAID = ("payment", "recoupment", "payer_refund")  # what the payers paid, net of what they had back
ADJUSTED = ("contractual", "payment_adjustment")


@dataclass(frozen=True)
class Checksum:
    charged: Decimal
    paid: Decimal
    adjusted: Decimal
    written_off: Decimal
    patient: Decimal
    insurance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.charged - (self.paid + self.adjusted + self.written_off + self.patient + self.insurance)


def live_charge(claim: ClaimView) -> Decimal:
    """What a claim contributes to its encounter's charge: a live primary claim its charge, any other nothing."""
    live = claim.responsibility == "primary" and claim.closed_at is None and claim.frequency != "8"
    return claim.charged if live else ZERO


def checksum(folded: Folded) -> Checksum:
    by_kind: defaultdict[str, Decimal] = defaultdict(Decimal)
    parties: defaultdict[str, Decimal] = defaultdict(Decimal)
    for entry in folded.entries:
        by_kind[entry.kind] += entry.amount
        parties[entry.party] += entry.amount
    return Checksum(
        charged=sum((live_charge(c) for c in folded.claims.values()), ZERO),
        paid=-sum((by_kind[k] for k in PAID), ZERO),
        adjusted=-sum((by_kind[k] for k in ADJUSTED), ZERO),
        written_off=-by_kind["write_off"],
        patient=parties[PATIENT],
        insurance=parties[INSURANCE],
    )


# The patient account's money events as the projection keeps them (facts.py), by their fact type.
CHARGED, RECEIVED, ADJUSTED_BY_PRACTICE = "patient.charged", "patient.payment-received", "patient.adjusted"
REFUNDED, REFUND_FAILED, CREDIT_APPLIED = "patient.refunded", "patient.refund-failed", "patient.credit-applied"
STANDING = "patient.standing-announced"  # moves no money: an account's standing said again after an upgrade


@dataclass(frozen=True)
class PatientSide:
    """The ledger's patient balance followed into the patients' accounts:

        share (the ledger's) = paid - refunded + adjusted (by the practice) + open - credit

    paid, refunded and adjusted are summed from patient billing's events here; open (what the patients owe) and
    credit (their money held beyond that, copays waiting for the insurance included) are each account's standing
    after its last money event. Off by `unbilled`: shares the ledger announced that no account has taken yet (in
    flight for a moment, or a visit with no patient id); by the rest: an account event lost, or an account's own
    sums wrong. `events_missing` counts the gaps in the accounts' numbered money events."""

    share: Decimal
    billed: Decimal  # the shares the accounts took (their PatientCharged)
    paid: Decimal
    refunded: Decimal  # net of card refunds the processor refused
    adjusted: Decimal
    open: Decimal
    credit: Decimal
    events_missing: int

    @property
    def difference(self) -> Decimal:
        return self.share - (self.paid - self.refunded + self.adjusted + self.open - self.credit)

    @property
    def unbilled(self) -> Decimal:
        return self.share - self.billed
