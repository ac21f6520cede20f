"""What the next visit will cost the patient, pure and exact to the cent, with each step said in words.

On the allowed amount (the payer's contract or fee schedule amount for the visit, when the caller knows it; else
the practice's charge, which is then the most the visit could cost before cost sharing, and said so): what is left
of the deductible first (the smaller of the individual's and the family's), then the copay, or else the
coinsurance, on what the deductible leaves; the whole capped by what is left of the out-of-pocket maximum (the
smaller of the individual's and the family's). A $0 copay does not waive the deductible.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Price:
    """What the next visit is expected to cost before cost sharing (either may be unknown)."""

    charge: Decimal | None = None  # the practice's charge
    allowed: Decimal | None = None  # the payer's allowed amount: the practice's contract or its fee schedule


@dataclass(frozen=True)
class Sharing:
    """The plan's cost sharing for the visit, as the 271 states it (None: not stated)."""

    copay: Decimal | None = None
    coinsurance: Decimal | None = None  # a share: 0.2 is 20 %
    deductible_left: Decimal | None = None
    deductible_whose: str = ""  # individual | family
    out_of_pocket_left: Decimal | None = None
    out_of_pocket_whose: str = ""


@dataclass(frozen=True)
class VisitCost:
    patient_pays: Decimal
    basis: str  # allowed | charge | copay (no amount known: the copay alone, no deductible being left)
    amount: Decimal | None  # what cost sharing was applied to
    steps: tuple[str, ...]


def visit_cost(price: Price | None, sharing: Sharing) -> VisitCost | None:
    """None when the 271 and the price do not say enough."""
    if sharing.copay is None and sharing.coinsurance is None and sharing.deductible_left is None:
        return None
    amount, basis = _amount(price or Price())
    if amount is None:
        return _copay_alone(sharing)
    steps = [_basis_words(amount, basis)]
    toward_deductible = min(amount, sharing.deductible_left or Decimal(0))
    steps.append(_deductible_words(toward_deductible, sharing))
    rest = amount - toward_deductible
    share, words = _share(rest, sharing)
    steps.append(words)
    total, capped = _capped(toward_deductible + share, sharing)
    if capped:
        steps.append(capped)
    steps.append(f"The patient pays {total:.2f}.")
    return VisitCost(total, basis, amount, tuple(steps))


def _amount(price: Price) -> tuple[Decimal | None, str]:
    if price.allowed is not None:
        return price.allowed, "allowed"
    return price.charge, "charge"


def _basis_words(amount: Decimal, basis: str) -> str:
    if basis == "allowed":
        return f"Amount: {amount:.2f}, the payer's allowed amount for the visit as given."
    return (
        f"Amount: {amount:.2f}, the practice's charge: no allowed amount was given, so the estimate is the most "
        "the visit could cost."
    )


def _deductible_words(toward: Decimal, sharing: Sharing) -> str:
    left = sharing.deductible_left
    if left is None:
        return "Deductible: the 271 states none left to meet; nothing applied."
    whose = f" ({sharing.deductible_whose})" if sharing.deductible_whose else ""
    return f"Deductible: {toward:.2f} applied first, of the {left:.2f} left{whose}."


def _share(rest: Decimal, sharing: Sharing) -> tuple[Decimal, str]:
    if sharing.copay is not None:
        copay = min(sharing.copay, rest)
        return (
            copay,
            f"Copay: {copay:.2f} (the plan's {sharing.copay:.2f}, at most the {rest:.2f} the deductible leaves).",
        )
    if sharing.coinsurance is not None:
        share = (rest * sharing.coinsurance).quantize(CENT, ROUND_HALF_UP)
        percent = (sharing.coinsurance * 100).normalize()
        return share, f"Coinsurance: {percent:f} % of the {rest:.2f} the deductible leaves = {share:.2f}."
    return Decimal(0), "Copay and coinsurance: the 271 states neither; nothing beyond the deductible."


def _capped(total: Decimal, sharing: Sharing) -> tuple[Decimal, str]:
    left = sharing.out_of_pocket_left
    if left is None or total <= left:
        return total.quantize(CENT, ROUND_HALF_UP), ""
    return left.quantize(CENT, ROUND_HALF_UP), (
        f"Capped at the {left:.2f} left of the {sharing.out_of_pocket_whose} out-of-pocket maximum (was {total:.2f})."
    )


def _copay_alone(sharing: Sharing) -> VisitCost | None:
    """No amount known: the copay is the visit's cost only when no deductible is left to meet."""
    if sharing.copay is None or (sharing.deductible_left or 0) > 0:
        return None
    total, capped = _capped(sharing.copay, sharing)
    steps = [
        "Amount: none given; no deductible is left, so the copay is the cost.",
        f"Copay: {sharing.copay:.2f}.",
        *([capped] if capped else []),
        f"The patient pays {total:.2f}.",
    ]
    return VisitCost(total, "copay", None, tuple(steps))
