"""Provider-level adjustments (PLB) of one 835, pure: what a payer adds to or takes from a payment apart from its
claims, each naming the claim it concerns by the payer's claim number, as payers do.

- L6 prompt-payment interest on a claim (often in an 835 of its own, PLB only);
- WO the recovery of an overpayment: now and then on one of the payee's newest paid claims, and, where the payer
  reviews its payments, on each claim its review found overpaid, well after the payment (`late_recoveries`);
- FB forward balances: when reversals and recoveries exceed an 835's payments, the difference is carried forward
  (FB, negative: the 835 pays zero) and taken back (FB, positive) from the next 835s to the same payee until it is
  recovered.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from clearinghouse_simulator.remittance import ClaimPayment, ProviderAdjustment, payment_total
from clearinghouse_simulator.results import CENT, Adjudication
from clearinghouse_simulator.shares import share

INTEREST_CHANCE = 0.05
RECOUPMENT_CHANCE = 0.03
INTEREST_APART_CHANCE = 0.5  # prompt-pay interest in an 835 of its own (PLB only, no claims), the same day


@dataclass(frozen=True)
class Balance:
    """What a payee owes the payer from an earlier 835 (an FB carried forward), by the claim that caused it."""

    reference: str  # the payer's claim number
    amount: Decimal  # positive: still to be taken back


class Overpaid(Protocol):
    """A paid claim a payer may take money back from: its payer claim number and what the payer decided."""

    @property
    def payer_claim_number(self) -> str: ...

    @property
    def adjudication(self) -> Adjudication: ...


def provider_adjustments(
    payments: Sequence[ClaimPayment],
    candidates: Sequence[Overpaid],
    owed: Sequence[Balance],
    rng: random.Random,
    *,
    late: Sequence[ProviderAdjustment] = (),
) -> tuple[list[ProviderAdjustment], list[Balance]]:
    """Interest, recovered overpayments (a recent one by chance, and the `late` ones a review found), balances
    taken back or carried forward; and what is still owed."""
    adjustments = []
    paid = [p for p in payments if p.result.paid > 0]
    if paid and rng.random() < INTEREST_CHANCE:  # prompt-payment interest on a claim: raises the payment
        claim = rng.choice(paid).payer_claim_number
        adjustments.append(ProviderAdjustment("L6", claim, -Decimal(rng.randint(1, 250)) / 100))
    if candidates and rng.random() < RECOUPMENT_CHANCE:  # an overpayment found on an earlier claim
        prior = rng.choice(list(candidates))
        share_taken = Decimal(rng.randint(10, 40)) / 100
        adjustments.append(
            ProviderAdjustment("WO", prior.payer_claim_number, (prior.adjudication.paid * share_taken).quantize(CENT))
        )
    adjustments.extend(late)
    return _forward_balances(payments, adjustments, owed)


def _forward_balances(
    payments: Sequence[ClaimPayment], adjustments: list[ProviderAdjustment], owed: Sequence[Balance]
) -> tuple[list[ProviderAdjustment], list[Balance]]:
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


def late_recoveries(due: Sequence[Overpaid], seed: int) -> list[ProviderAdjustment]:
    """What a payer's post-payment review takes back from each claim it found overpaid: 10 % to 40 % of what it
    paid, fixed by the seed and the claim number."""
    recoveries = []
    for claim in due:
        percent = 10 + share(seed, "review-share", claim.payer_claim_number) * 31 // 100
        amount = (claim.adjudication.paid * percent / 100).quantize(CENT)
        if amount > 0:
            recoveries.append(ProviderAdjustment("WO", claim.payer_claim_number, amount))
    return recoveries


def reviewed(seed: int, payer_claim_number: str, percent: int) -> bool:
    """Whether the payer's post-payment review will find this paid claim overpaid (chosen by seed and number)."""
    return share(seed, "review", payer_claim_number) < percent


def interest_apart(
    payments: Sequence[ClaimPayment], adjustments: list[ProviderAdjustment], rng: random.Random
) -> list[ProviderAdjustment]:
    """The interest to pay in an 835 of its own: some of the time, and only when the claims' 835 does not need
    it to stay at or above zero (a balance taken back may have counted on it)."""
    interest = [a for a in adjustments if a.reason == "L6"]
    if not interest or rng.random() >= INTEREST_APART_CHANCE:
        return []
    rest = [a for a in adjustments if a.reason != "L6"]
    return interest if payment_total(payments, rest) >= 0 else []
