"""Which of a 271's benefits speak for mental health, most specific first: psychotherapy (A6), then mental health
(MH), outpatient psychiatric (A8), psychiatric (A4), psychiatric inpatient (A7), then the plan as a whole (30). A
benefit that names no service type speaks for all of them. Pure."""

from collections.abc import Iterable

from claimstream_platform.x12.eligibility_model import Benefit

PREFERENCE = ("A6", "MH", "A8", "A4", "A7", "30")
MENTAL_HEALTH = frozenset(PREFERENCE) - {"30"}


def concerns(benefit: Benefit, types: Iterable[str]) -> bool:
    return not benefit.service_types or bool(set(benefit.service_types) & set(types))


def _rank(benefit: Benefit) -> int:
    ranks = [PREFERENCE.index(t) for t in benefit.service_types if t in PREFERENCE]
    return min(ranks) if ranks else len(PREFERENCE)


def ranked(benefits: Iterable[Benefit], *informations: str, in_network: bool = True) -> list[Benefit]:
    """Benefits of the given kinds (EB01) for mental health, most specific first; out-of-network ones (EB12 N)
    left out by default."""
    chosen = [
        b
        for b in benefits
        if b.information in informations and concerns(b, PREFERENCE) and (not in_network or b.in_network != "N")
    ]
    return sorted(chosen, key=_rank)


def flag(values: Iterable[str]) -> bool | None:
    """The first Y or N among X12 yes/no values (U unknown and W not applicable say nothing)."""
    for value in values:
        if value in ("Y", "N"):
            return value == "Y"
    return None
