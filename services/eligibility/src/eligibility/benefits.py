"""What a 271 says about a patient's mental-health benefits, pure: active or not, cost sharing, the individual's
and the family's deductible and out-of-pocket maximum with what is left of each (accumulators.py), visit limits
(visits.py), authorization, network, a carve-out to another payer (carve_out.py), an AAA refusal; and what the
next visit will cost the patient (cost.py).

Where the 271 answers for several service types, the most specific one wins (mental_health.py).
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from claimstream_platform.x12.eligibility_model import Benefit, Response

from eligibility.accumulators import Accumulator, accumulators, smaller_left
from eligibility.carve_out import CarveOut, carve_out
from eligibility.cost import Price, Sharing, VisitCost, visit_cost
from eligibility.mental_health import MENTAL_HEALTH, concerns, flag, ranked
from eligibility.visits import visits

RETRY_REASONS = frozenset({"42"})  # unable to respond at this time


@dataclass(frozen=True)
class Summary:
    status: str  # active | inactive | failed
    bill_payer_id: str  # the payer, or a carve-out's administrator; "" when a person must route a carve-out
    copay: Decimal | None = None
    coinsurance: Decimal | None = None
    deductible_remaining: Decimal | None = None  # the smaller of the individual's and the family's
    out_of_pocket_remaining: Decimal | None = None  # likewise
    visits_allowed: int | None = None
    visits_remaining: int | None = None
    visit_limit_from_text: bool = False
    authorization_required: bool | None = None
    in_network: bool | None = None
    administered_by: str | None = None  # a carve-out: the payer id of the company that runs the benefit
    administrator_name: str | None = None
    rejection: str | None = None  # AAA03
    follow_up: str | None = None  # AAA04
    next_visit_cost: Decimal | None = None
    deductible_individual: Accumulator | None = None
    deductible_family: Accumulator | None = None
    out_of_pocket_individual: Accumulator | None = None
    out_of_pocket_family: Accumulator | None = None
    visits_used: int | None = None
    visit_limit_period: str | None = None  # "calendar year", "service year", "per week", "lifetime"...
    carve_out_to_route: str | None = None  # a carve-out with no payer id to bill: the 271's words, for a person
    cost: VisitCost | None = None  # how next_visit_cost was reached, step by step

    @property
    def retry(self) -> bool:
        return self.rejection in RETRY_REASONS or self.follow_up == "R"


def summarize(response: Response, payer_id: str, price: Price | None = None, *, served: date | None = None) -> Summary:
    """The 271's answer for behavioral health; the next visit's cost when `price` (or a copay alone) says enough.
    `served`: the date of service, for the payer-id map's effective dates."""
    if response.rejections:
        first = response.rejections[0]
        return Summary("failed", payer_id, rejection=first.reason, follow_up=first.follow_up)
    covered = [b for b in response.benefits if b.information in ("1", "6")]
    mental = [b for b in covered if concerns(b, MENTAL_HEALTH)]
    if not any(b.information == "1" for b in mental or [b for b in covered if concerns(b, {"30"})]):
        return Summary("inactive", payer_id)  # EB 6, or no active coverage stated
    summary = _active(response.benefits, payer_id, carve_out(response.benefits, served))
    return _with_cost(summary, price)


def _active(benefits: tuple[Benefit, ...], payer_id: str, carved: CarveOut | None) -> Summary:
    deductible, out_of_pocket = accumulators(benefits, "C"), accumulators(benefits, "G")
    limits = visits(benefits)
    active = ranked(benefits, "1")
    routed = carved.payer_id if carved else None
    return Summary(
        "active",
        payer_id if carved is None else routed or "",
        copay=_first(benefits, "B", "amount"),
        coinsurance=_first(benefits, "A", "percent"),
        deductible_remaining=smaller_left(*deductible)[0],
        out_of_pocket_remaining=smaller_left(*out_of_pocket)[0],
        deductible_individual=deductible[0],
        deductible_family=deductible[1],
        out_of_pocket_individual=out_of_pocket[0],
        out_of_pocket_family=out_of_pocket[1],
        visits_allowed=limits.allowed,
        visits_remaining=limits.remaining,
        visits_used=limits.used,
        visit_limit_period=limits.period,
        visit_limit_from_text=limits.from_text,
        authorization_required=flag(b.authorization_required for b in active),
        in_network=flag(b.in_network for b in active),
        administered_by=routed,
        administrator_name=carved.name if carved else None,
        carve_out_to_route=carved.named_as if carved and routed is None else None,
    )


def _first(benefits: tuple[Benefit, ...], information: str, value: str) -> Decimal | None:
    """The most specific in-network value of one kind: the copay's amount, the coinsurance's percent."""
    for b in ranked(benefits, information):
        found: Decimal | None = getattr(b, value)
        if found is not None:
            return found
    return None


def _with_cost(summary: Summary, price: Price | None) -> Summary:
    deductible_left, deductible_whose = smaller_left(summary.deductible_individual, summary.deductible_family)
    out_of_pocket_left, out_of_pocket_whose = smaller_left(
        summary.out_of_pocket_individual, summary.out_of_pocket_family
    )
    sharing = Sharing(
        summary.copay, summary.coinsurance, deductible_left, deductible_whose, out_of_pocket_left, out_of_pocket_whose
    )
    cost = visit_cost(price, sharing)
    return replace(summary, cost=cost, next_visit_cost=cost.patient_pays if cost else None)
