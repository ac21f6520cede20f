"""One adjudication cycle, pure: the accepted claims in, their adjudications and the 835s out.

The payers pay in batches: one 835 per (submitter, payer, payee) per cycle. A seed fixes every choice the
payers make at random (interest, reprocessing), so the same inputs and seed give the same files.
Replacement (frequency 7) and void (8) claims reverse the claim they replace (CLP02 22) in the same 835.

Provider-level adjustments (PLB) name the claim they concern by the payer's claim number, as payers do: L6
interest on a claim (often in an 835 of its own, PLB only), WO recovery of an overpayment on an earlier claim,
and FB forward balances. When reversals
and recoveries exceed an 835's payments, the difference is carried forward (FB, negative: the 835 pays zero) and
taken back (FB, positive) from the next 835s to the same payee until it is recovered.
"""

import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.x12.p837 import Claim, Line

from clearinghouse_simulator import crossover
from clearinghouse_simulator.adjudication import Adjudication, Adjustment, LineResult, Member, adjudicate, reversal
from clearinghouse_simulator.outbound import Envelope
from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.remittance import ClaimPayment, ProviderAdjustment, build_835, payment_total
from clearinghouse_simulator.split import split

MemberKey = tuple[UUID, str, str]  # submitter, payer id, member id: each submitter has its own roster
PayeeKey = tuple[UUID, str, str]  # submitter, payer id, payee NPI: one 835 each per cycle
CENT = Decimal("0.01")
INTEREST_CHANCE = 0.05
REPROCESS_CHANCE = 0.03
RECOUPMENT_CHANCE = 0.03
INTEREST_APART_CHANCE = 0.5  # prompt-pay interest in an 835 of its own (PLB only, no claims), the same day


@dataclass(frozen=True)
class Balance:
    """What a payee owes the payer from an earlier 835 (an FB carried forward), by the claim that caused it."""

    reference: str  # the payer's claim number
    amount: Decimal  # positive: still to be taken back


@dataclass(frozen=True)
class Prior:
    """A claim adjudicated in an earlier cycle."""

    claim_id: UUID
    claim: Claim
    payer_claim_number: str
    received: date
    adjudication: Adjudication


@dataclass(frozen=True)
class Pending:
    claim_id: UUID
    submitter: UUID
    submitter_id: str  # the ISA sender id the 835 goes back to
    claim: Claim
    payer_claim_number: str
    received: date
    duplicate: bool  # an identical claim was already paid
    original: Prior | None = None  # what a frequency 7/8 claim replaces


@dataclass
class Remittance:
    submitter: UUID
    payer_id: str
    payee_npi: str
    content: str
    total: Decimal
    claims: int


@dataclass
class CycleOutcome:
    results: dict[UUID, Adjudication] = field(default_factory=dict)
    reversed: set[UUID] = field(default_factory=set)
    members: dict[MemberKey, Member] = field(default_factory=dict)
    remittances: list[Remittance] = field(default_factory=list)
    balances: dict[PayeeKey, list[Balance]] = field(default_factory=dict)  # the new state of each payee paid
    renumbered: dict[UUID, str] = field(default_factory=dict)  # claims reprocessed under a new payer claim number
    crossovers: dict[UUID, Claim] = field(default_factory=dict)  # claim id -> the claim its payer forwarded
    splits: dict[UUID, Claim] = field(default_factory=dict)  # claim id -> its part paid in a later cycle


def duplicate_key(claim: Claim) -> str:
    """Same payer, member, billing provider, first date of service and codes: the same service billed twice."""
    codes = ",".join(sorted(f"{line.code}:{':'.join(line.modifiers)}" for line in claim.lines))
    return f"{claim.payer_id}|{claim.member_id}|{claim.billing_npi}|{claim.first_service_date}|{codes}"


def run_cycle(
    pending: Sequence[Pending],
    *,
    book: PayerBook,
    members: Mapping[MemberKey, Member],
    reprocessable: Mapping[tuple[UUID, str, str], Sequence[Prior]],
    seed: int,
    now: datetime,
    next_control: Callable[[], str],
    owed: Mapping[PayeeKey, Sequence[Balance]] | None = None,
) -> CycleOutcome:
    outcome = CycleOutcome(members=dict(members))
    groups, names = _adjudicate_all(pending, book, outcome)
    for key, payments in groups.items():
        submitter, payer_id, payee_npi = key
        payee_name, submitter_id = names[key]
        rng = random.Random(_seed(seed, payer_id, payee_npi, [p.payer_claim_number for p in payments]))
        candidates = reprocessable.get(key, ())
        payments = payments + _reprocessed(candidates, rng, outcome.renumbered)
        adjustments, outcome.balances[key] = _provider_adjustments(payments, candidates, (owed or {}).get(key, ()), rng)
        interest_apart = _interest_apart(payments, adjustments, rng)
        adjustments = [a for a in adjustments if a not in interest_apart]
        for paid, adjusted in ((payments, adjustments), ([], interest_apart)):
            if paid or adjusted:
                control = next_control()
                content = build_835(
                    paid, payer=book.payers[payer_id], payee_name=payee_name, payee_npi=payee_npi,
                    trace_number=f"{payer_id}{control}", paid_on=now.date(), adjustments=adjusted,
                    envelope=Envelope("ZZ", submitter_id, control, control, now),
                )  # fmt: skip
                total = payment_total(paid, adjusted)
                outcome.remittances.append(Remittance(submitter, payer_id, payee_npi, content, total, len(paid)))
    return outcome


def _adjudicate_all(
    pending: Sequence[Pending], book: PayerBook, outcome: CycleOutcome
) -> tuple[dict[PayeeKey, list[ClaimPayment]], dict[PayeeKey, tuple[str, str]]]:
    """Every pending claim adjudicated, in payer-claim-number order, grouped by payee (one 835 each); a
    replacement or void first reverses the claim it replaces. Returns the groups and each payee's names."""
    groups: dict[PayeeKey, list[ClaimPayment]] = {}
    names: dict[PayeeKey, tuple[str, str]] = {}
    paid_keys: set[str] = set()
    for item in sorted(pending, key=lambda p: p.payer_claim_number):
        claim = item.claim
        key = (item.submitter, claim.payer_id, claim.billing_npi)
        names[key] = (claim.billing_name, item.submitter_id)
        payments = groups.setdefault(key, [])
        if claim.frequency in ("7", "8") and item.original is not None:
            original = item.original
            payments.append(
                ClaimPayment(
                    original.claim, reversal(original.adjudication), original.payer_claim_number, original.received
                )
            )
            outcome.reversed.add(original.claim_id)
        if claim.frequency == "8":
            outcome.results[item.claim_id] = Adjudication("4", [])
            continue
        parts = split(claim)
        if parts is not None:  # paid in part now; the rest waits for a later 835, under another number
            claim, outcome.splits[item.claim_id] = parts
            item = replace(item, claim=claim)
        result = _adjudicate(item, book, outcome.members, paid_keys)
        forwarded = crossover.forward(claim, result, book)
        if forwarded is not None:
            outcome.crossovers[item.claim_id] = forwarded
        outcome.results[item.claim_id] = result
        payments.append(ClaimPayment(claim, result, item.payer_claim_number, item.received))
    return groups, names


def _adjudicate(item: Pending, book: PayerBook, members: dict[MemberKey, Member], paid_keys: set[str]) -> Adjudication:
    claim = item.claim
    profile = book.payers[claim.payer_id]
    member_key = (item.submitter, claim.payer_id, claim.member_id)
    member = members.get(member_key) or Member(date.max, None, Decimal(0), Decimal(0), Decimal(0), Decimal(0), 0)
    key = duplicate_key(claim)
    result = adjudicate(
        claim,
        profile,
        credential=book.taxonomy_credentials.get(claim.rendering_taxonomy or claim.billing_taxonomy),
        member=member,
        received=item.received,
        duplicate=item.duplicate or key in paid_keys,
    )
    if result.paid > 0:
        paid_keys.add(key)
    if member_key in members:
        members[member_key] = replace(
            member,
            deductible_met=member.deductible_met + result.deductible_applied,
            visits_used=member.visits_used + (1 if result.visit_counted else 0),
        )
    return result


def _reprocessed(candidates: Sequence[Prior], rng: random.Random, renumbered: dict[UUID, str]) -> list[ClaimPayment]:
    """Now and then the payer reprocesses an earlier paid claim: its reversal, then the same payment again under a
    new claim number (CLP07), as real payers do; a later correction must name the new one (REF*F8)."""
    if not candidates or rng.random() >= REPROCESS_CHANCE:
        return []
    prior = rng.choice(list(candidates))
    base, _, times = prior.payer_claim_number.partition("-")
    number = f"{base}-{int(times or 0) + 1}"  # never a number used before: each reprocessing counts up
    renumbered[prior.claim_id] = number
    return [
        ClaimPayment(prior.claim, reversal(prior.adjudication), prior.payer_claim_number, prior.received),
        ClaimPayment(prior.claim, prior.adjudication, number, prior.received),
    ]


def _provider_adjustments(
    payments: Sequence[ClaimPayment], candidates: Sequence[Prior], owed: Sequence[Balance], rng: random.Random
) -> tuple[list[ProviderAdjustment], list[Balance]]:
    """Interest, a recovered overpayment, balances taken back or carried forward; and what is still owed."""
    adjustments = []
    paid = [p for p in payments if p.result.paid > 0]
    if paid and rng.random() < INTEREST_CHANCE:  # prompt-payment interest on a claim: raises the payment
        claim = rng.choice(paid).payer_claim_number
        adjustments.append(ProviderAdjustment("L6", claim, -Decimal(rng.randint(1, 250)) / 100))
    if candidates and rng.random() < RECOUPMENT_CHANCE:  # an overpayment found on an earlier claim
        prior = rng.choice(list(candidates))
        share = Decimal(rng.randint(10, 40)) / 100
        adjustments.append(
            ProviderAdjustment("WO", prior.payer_claim_number, (prior.adjudication.paid * share).quantize(CENT))
        )
    total = payment_total(payments, adjustments)
    still_owed = []
    for balance in owed:  # taken back as far as this payment allows
        taken = min(balance.amount, max(total, Decimal(0)))
        if taken > 0:
            adjustments.append(ProviderAdjustment("FB", balance.reference, taken))
            total -= taken
        if balance.amount > taken:
            still_owed.append(Balance(balance.reference, balance.amount - taken))
    if total < 0:  # reversals and recoveries exceed payments: carried forward, the 835 pays nothing
        reversed_claims = [p.payer_claim_number for p in payments if p.result.paid < 0]
        reference = reversed_claims[0] if reversed_claims else adjustments[-1].reference
        adjustments.append(ProviderAdjustment("FB", reference, total))
        still_owed.append(Balance(reference, -total))
    return adjustments, still_owed


def _interest_apart(
    payments: Sequence[ClaimPayment], adjustments: list[ProviderAdjustment], rng: random.Random
) -> list[ProviderAdjustment]:
    """The interest to pay in an 835 of its own: some of the time, and only when the claims' 835 does not need
    it to stay at or above zero (a balance taken back may have counted on it)."""
    interest = [a for a in adjustments if a.reason == "L6"]
    if not interest or rng.random() >= INTEREST_APART_CHANCE:
        return []
    rest = [a for a in adjustments if a.reason != "L6"]
    return interest if payment_total(payments, rest) >= 0 else []


def _seed(seed: int, payer_id: str, payee_npi: str, claim_numbers: Sequence[str]) -> int:
    digest = hashlib.sha256(f"{seed}|{payer_id}|{payee_npi}|{','.join(claim_numbers)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


# --- adjudications as JSON (stored with the claim, read back to reverse it) ---


def adjudication_to_json(result: Adjudication) -> dict[str, Any]:
    return {
        "status": result.status,
        "crossover": list(result.crossover) if result.crossover else None,
        "lines": [
            {
                "line": r.line.model_dump(mode="json"),
                "allowed": str(r.allowed),
                "paid": str(r.paid),
                "adjustments": [[a.group, a.reason, str(a.amount)] for a in r.adjustments],
                "remarks": r.remarks,
            }
            for r in result.lines
        ],
    }


def adjudication_from_json(data: Mapping[str, Any]) -> Adjudication:
    return Adjudication(
        data["status"],
        [
            LineResult(
                line=Line.model_validate(item["line"]),
                allowed=Decimal(item["allowed"]),
                paid=Decimal(item["paid"]),
                adjustments=[Adjustment(g, r, Decimal(a)) for g, r, a in item["adjustments"]],
                remarks=list(item["remarks"]),
            )
            for item in data["lines"]
        ],
        crossover=tuple(data["crossover"]) if data.get("crossover") else None,
    )
