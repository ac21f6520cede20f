"""One adjudication cycle, pure: the accepted claims in, their adjudications and the 835s out.

A cycle is a payer's business day, numbered (`day`): `SIM_CYCLE_SECONDS` apart, seconds in tests and the demo, a
day in a realistic run; a payer's "days after the payment" count cycles. The payers pay in batches: one 835 per
(submitter, payer, payee) per cycle. A seed fixes every choice the payers make at random (interest, reprocessing,
recoveries), so the same inputs and seed give the same files. Replacement (frequency 7) and void (8) claims
reverse the claim they replace (CLP02 22) in the same 835. Provider-level adjustments (PLB): `plb.py`.

A member enrolled for paper remittance has their claims adjudicated like any other, but no 835 carries them or
their reversals: the payer pays by check, and the practice keys the EOB (payer silence, to claimstream).
"""

import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from claimstream_platform.dates import business_date
from claimstream_platform.x12.p837 import Claim

from clearinghouse_simulator import crossover, plb
from clearinghouse_simulator.adjudication import adjudicate
from clearinghouse_simulator.outbound import Envelope
from clearinghouse_simulator.payers import PayerBook
from clearinghouse_simulator.plb import Balance
from clearinghouse_simulator.remittance import ClaimPayment, ProviderAdjustment, build_835, payment_total
from clearinghouse_simulator.results import Adjudication, Member, reversal
from clearinghouse_simulator.split import split

MemberKey = tuple[UUID, str, str]  # submitter, payer id, member id: each submitter has its own roster
PayeeKey = tuple[UUID, str, str]  # submitter, payer id, payee NPI: one 835 each per cycle
REPROCESS_CHANCE = 0.03
NOBODY = Member(date.max, None, Decimal(0), Decimal(0), Decimal(0), Decimal(0), 0)


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
    paper: set[UUID] = field(default_factory=set)  # adjudicated, remitted on paper: in no 835
    reviews: dict[UUID, int] = field(default_factory=dict)  # paid claims a review will find overpaid -> on which day
    recovered: set[UUID] = field(default_factory=set)  # reviewed claims whose overpayment this cycle took back


@dataclass(frozen=True)
class _Day:
    """What every 835 of the cycle shares."""

    book: PayerBook
    seed: int
    now: datetime
    number: int
    next_control: Callable[[], str]


def duplicate_key(claim: Claim) -> str:
    """Same payer, member, billing provider, first date of service and codes: the same service billed twice."""
    codes = ",".join(sorted(f"{line.code}:{':'.join(line.modifiers)}" for line in claim.lines))
    return f"{claim.payer_id}|{claim.member_id}|{claim.billing_npi}|{claim.first_service_date}|{codes}"


def run_cycle(
    pending: Sequence[Pending],
    *,
    book: PayerBook,
    members: Mapping[MemberKey, Member],
    reprocessable: Mapping[PayeeKey, Sequence[Prior]],
    seed: int,
    now: datetime,
    next_control: Callable[[], str],
    owed: Mapping[PayeeKey, Sequence[Balance]] | None = None,
    day: int = 0,
    due: Mapping[PayeeKey, Sequence[Prior]] | None = None,
) -> CycleOutcome:
    """Adjudicate the pending claims on cycle `day`; `due` are the paid claims whose review finds them overpaid
    by now, taken back in their payee's 835 (when it gets one this cycle)."""
    outcome = CycleOutcome(members=dict(members))
    context = _Day(book, seed, now, day, next_control)
    groups, names = _adjudicate_all(pending, context, outcome)
    for key, payments in groups.items():
        late = (due or {}).get(key, ())
        outcome.recovered.update(prior.claim_id for prior in late)
        owed_now, candidates = (owed or {}).get(key, ()), reprocessable.get(key, ())
        _remit(outcome, key, payments, names[key], context, candidates, owed_now, plb.late_recoveries(late, seed))
    return outcome


def _remit(
    outcome: CycleOutcome,
    key: PayeeKey,
    payments: list[ClaimPayment],
    names: tuple[str, str],
    context: _Day,
    candidates: Sequence[Prior],
    owed: Sequence[Balance],
    recoveries: Sequence[ProviderAdjustment],
) -> None:
    """The payee's 835 of the cycle (and, some of the time, its interest in an 835 of its own)."""
    submitter, payer_id, payee_npi = key
    rng = random.Random(_seed(context.seed, payer_id, payee_npi, [p.payer_claim_number for p in payments]))
    payments = payments + _reprocessed(candidates, rng, outcome.renumbered)
    adjustments, outcome.balances[key] = plb.provider_adjustments(payments, candidates, owed, rng, late=recoveries)
    interest_apart = plb.interest_apart(payments, adjustments, rng)
    adjustments = [a for a in adjustments if a not in interest_apart]
    payee_name, submitter_id = names
    for paid, adjusted in ((payments, adjustments), ([], interest_apart)):
        if paid or adjusted:
            control = context.next_control()
            content = build_835(
                paid,
                payer=context.book.payers[payer_id],
                payee_name=payee_name,
                payee_npi=payee_npi,
                trace_number=f"{payer_id}{control}",
                paid_on=business_date(at=context.now),
                adjustments=adjusted,
                envelope=Envelope("ZZ", submitter_id, control, control, context.now),
            )
            total = payment_total(paid, adjusted)
            outcome.remittances.append(Remittance(submitter, payer_id, payee_npi, content, total, len(paid)))


def _adjudicate_all(
    pending: Sequence[Pending], context: _Day, outcome: CycleOutcome
) -> tuple[dict[PayeeKey, list[ClaimPayment]], dict[PayeeKey, tuple[str, str]]]:
    """Every pending claim adjudicated, in payer-claim-number order, grouped by payee (one 835 each, holding only
    electronic remittance); a replacement or void first reverses the claim it replaces. Returns the groups and
    each payee's names."""
    groups: dict[PayeeKey, list[ClaimPayment]] = {}
    names: dict[PayeeKey, tuple[str, str]] = {}
    paid_keys: set[tuple[UUID, str]] = set()  # (submitter, duplicate key) paid this cycle
    for item in sorted(pending, key=lambda p: p.payer_claim_number):
        claim = item.claim
        member = outcome.members.get((item.submitter, claim.payer_id, claim.member_id), NOBODY)
        if member.remittance == "paper":
            outcome.paper.add(item.claim_id)
            _adjudicate_one(item, context, outcome, paid_keys)
            continue
        key = (item.submitter, claim.payer_id, claim.billing_npi)
        names[key] = (claim.billing_name, item.submitter_id)
        payments = _adjudicate_one(item, context, outcome, paid_keys)
        groups.setdefault(key, []).extend(payments)
    return groups, names


def _adjudicate_one(
    item: Pending, context: _Day, outcome: CycleOutcome, paid_keys: set[tuple[UUID, str]]
) -> list[ClaimPayment]:
    """One claim: the reversal of what it replaces, then its own adjudication; what its 835 would say."""
    claim, payments = item.claim, []
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
        return payments
    parts = split(claim)
    if parts is not None:  # paid in part now; the rest waits for a later 835, under another number
        claim, outcome.splits[item.claim_id] = parts
        item = replace(item, claim=claim)
    result = _adjudicate(item, context.book, outcome.members, paid_keys)
    forwarded = crossover.forward(claim, result, context.book)
    if forwarded is not None:
        outcome.crossovers[item.claim_id] = forwarded
    outcome.results[item.claim_id] = result
    profile = context.book.payers[claim.payer_id]
    if item.claim_id not in outcome.paper and result.paid > 0:
        if plb.reviewed(context.seed, item.payer_claim_number, profile.review_percent):
            outcome.reviews[item.claim_id] = context.number + profile.review_after_days
    payments.append(ClaimPayment(claim, result, item.payer_claim_number, item.received))
    return payments


def _adjudicate(
    item: Pending, book: PayerBook, members: dict[MemberKey, Member], paid_keys: set[tuple[UUID, str]]
) -> Adjudication:
    claim = item.claim
    profile = book.payers[claim.payer_id]
    member_key = (item.submitter, claim.payer_id, claim.member_id)
    member = members.get(member_key) or NOBODY
    key = (item.submitter, duplicate_key(claim))
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


def _seed(seed: int, payer_id: str, payee_npi: str, claim_numbers: Sequence[str]) -> int:
    digest = hashlib.sha256(f"{seed}|{payer_id}|{payee_npi}|{','.join(claim_numbers)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
