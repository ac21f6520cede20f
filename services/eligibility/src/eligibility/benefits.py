"""What a 271 says about a patient's mental-health benefits, pure: active or not, cost sharing and what remains,
visit limits (coded, or only in MSG text), authorization, network, a carve-out to another payer, an AAA refusal;
and what the next psychotherapy visit will cost the patient.

Where the 271 answers for several service types, the most specific one wins: psychotherapy (A6), then mental
health (MH), outpatient psychiatric (A8), psychiatric (A4), then the plan as a whole (30).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from claimstream_platform.x12.eligibility_model import Benefit, Response

PREFERENCE = ("A6", "MH", "A8", "A4", "A7", "30")
MENTAL_HEALTH = frozenset(PREFERENCE) - {"30"}
VISITS_IN_TEXT = re.compile(r"(\d{1,3})\s+(?:OUTPATIENT\s+)?(?:VISITS?|SESSIONS?)\b")
REMAINING_IN_TEXT = re.compile(r"(\d{1,3})\s+(?:VISITS?|SESSIONS?)\s+REMAIN")
RETRY_REASONS = frozenset({"42"})  # unable to respond at this time
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Summary:
    status: str  # active | inactive | failed
    bill_payer_id: str
    copay: Decimal | None = None
    coinsurance: Decimal | None = None
    deductible_remaining: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    visits_allowed: int | None = None
    visits_remaining: int | None = None
    visit_limit_from_text: bool = False
    authorization_required: bool | None = None
    in_network: bool | None = None
    administered_by: str | None = None  # a carve-out: the payer that runs the mental-health benefit
    administrator_name: str | None = None
    rejection: str | None = None  # AAA03
    follow_up: str | None = None  # AAA04
    next_visit_cost: Decimal | None = None

    @property
    def retry(self) -> bool:
        return self.rejection in RETRY_REASONS or self.follow_up == "R"


def summarize(response: Response, payer_id: str, expected_charge: Decimal | None = None) -> Summary:
    """The 271's answer for behavioral health, for a visit expected to be charged `expected_charge`."""
    if response.rejections:
        first = response.rejections[0]
        return Summary("failed", payer_id, rejection=first.reason, follow_up=first.follow_up)
    plan = [b for b in response.benefits if b.information in ("1", "6") and _concerns(b, {"30"})]
    mental = [b for b in response.benefits if b.information in ("1", "6") and _concerns(b, MENTAL_HEALTH)]
    status = _status(mental or plan)
    carve_out = _carve_out(response.benefits)
    if status != "active":
        return Summary(status, payer_id)
    found = _cost_sharing(response.benefits)
    visits = _visits(response.benefits)
    summary = Summary(
        "active", carve_out[0] if carve_out else payer_id, **found, **visits,
        authorization_required=_flag(b.authorization_required for b in _ranked(response.benefits, "1")),
        in_network=_flag(b.in_network for b in _ranked(response.benefits, "1")),
        administered_by=carve_out[0] if carve_out else None, administrator_name=carve_out[1] if carve_out else None,
    )  # fmt: skip
    return _with_cost(summary, expected_charge)


def _concerns(benefit: Benefit, types: Iterable[str]) -> bool:
    return not benefit.service_types or bool(set(benefit.service_types) & set(types))


def _status(benefits: list[Benefit]) -> str:
    """Active when an EB 1 says so; inactive when EB 6 does, or when nothing states active coverage."""
    return "active" if any(b.information == "1" for b in benefits) else "inactive"


def _rank(benefit: Benefit) -> int:
    ranks = [PREFERENCE.index(t) for t in benefit.service_types if t in PREFERENCE]
    return min(ranks) if ranks else len(PREFERENCE)


def _ranked(benefits: Iterable[Benefit], information: str, *, in_network: bool = True) -> list[Benefit]:
    """Benefits of one kind for mental health, most specific first; out-of-network ones left out by default."""
    chosen = [b for b in benefits if b.information == information and _concerns(b, PREFERENCE)
              and (not in_network or b.in_network != "N")]  # fmt: skip
    return sorted(chosen, key=_rank)


def _cost_sharing(benefits: tuple[Benefit, ...]) -> dict[str, Any]:
    def first(information: str, value: str, period: str | None = None) -> Decimal | None:
        for b in _ranked(benefits, information):
            if period is None or b.period == period:
                found: Decimal | None = getattr(b, value)
                if found is not None:
                    return found
        return None

    return {"copay": first("B", "amount"), "coinsurance": first("A", "percent"),
            "deductible_remaining": first("C", "amount", "29"),
            "out_of_pocket_remaining": first("G", "amount", "29")}  # fmt: skip


def _visits(benefits: tuple[Benefit, ...]) -> dict[str, Any]:
    limits = [b for b in _ranked(benefits, "F") if b.quantity_qualifier == "VS" and b.quantity is not None]
    remaining = next((int(b.quantity) for b in limits if b.period == "29" and b.quantity is not None), None)
    allowed = next((int(b.quantity) for b in limits if b.period != "29" and b.quantity is not None), None)
    if allowed is not None or remaining is not None:
        return {"visits_allowed": allowed, "visits_remaining": remaining, "visit_limit_from_text": False}
    texts = [m.upper() for b in benefits if _concerns(b, PREFERENCE) for m in b.messages]
    stated = [int(m.group(1)) for t in texts if (m := VISITS_IN_TEXT.search(t)) and not REMAINING_IN_TEXT.search(t)]
    left = [int(m.group(1)) for t in texts if (m := REMAINING_IN_TEXT.search(t))]
    if not stated and not left:
        return {}
    return {"visits_allowed": stated[0] if stated else None, "visits_remaining": left[0] if left else None,
            "visit_limit_from_text": True}  # fmt: skip


def _carve_out(benefits: tuple[Benefit, ...]) -> tuple[str, str] | None:
    """EB U (contact) or R (other payer) for mental health, naming the entity that runs it (2120C)."""
    for b in benefits:
        if b.information in ("U", "R") and b.contacts and b.service_types and set(b.service_types) & MENTAL_HEALTH:
            party = b.contacts[0].party
            return party.identifier or party.last_or_name, party.last_or_name
    return None


def _flag(values: Iterable[str]) -> bool | None:
    for value in values:
        if value in ("Y", "N"):
            return value == "Y"
    return None


def _with_cost(summary: Summary, charge: Decimal | None) -> Summary:
    """The patient's share of the next visit: the copay; else what is left of the deductible, then coinsurance on
    the rest of the charge. None when the 271 and the charge do not say enough."""
    if summary.copay is not None:
        return replace(summary, next_visit_cost=summary.copay)
    if charge is None or (summary.coinsurance is None and summary.deductible_remaining is None):
        return summary
    toward_deductible = min(charge, summary.deductible_remaining or Decimal(0))
    share = toward_deductible + (summary.coinsurance or Decimal(0)) * (charge - toward_deductible)
    return replace(summary, next_visit_cost=share.quantize(CENT, ROUND_HALF_UP))
