"""The workload's patients and their coverage: the plan each holds (a behavioral-health administrator is nobody's
plan: it runs the mental-health benefits of a plan that carves them out), the supplemental plans of some
Medicare patients, the Blue payer's high-deductible plan, the members whose payer remits on paper, and what the
members API is told when a patient is enrolled."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from clearinghouse_simulator.payers import shipped
from clearinghouse_simulator.workload_mix import FIRST, LAST

ADMINISTRATORS = {
    p.payer_id: p.mental_health_administrator[0] for p in shipped().payers.values() if p.mental_health_administrator
}
PLANS = [payer_id for payer_id in shipped().payers if payer_id not in ADMINISTRATORS.values()]
SUPPLEMENTAL_SHARE = 0.25  # Medicare patients with a supplemental (Medigap-like) plan from the Blue payer
DUAL_ELIGIBLE_SHARE = 0.30  # Medicare patients also on Medicaid: Medicare crosses their claims over itself
# Blue patients on its high-deductible plan: no copay; the deductible first (their early visits are paid 0, all
# of the allowed amount PR-1), then coinsurance. The members API takes it as the member's own cost sharing.
HIGH_DEDUCTIBLE_SHARE = 0.30
HIGH_DEDUCTIBLE_PLAN = {"deductible": "1500.00", "coinsurance": "0.20", "copay": "0.00"}
PAPER_REMITTANCE_SHARE = 0.03  # patients whose payers pay their claims by check: no 835 (payer silence)


@dataclass
class Patient:
    external_id: str
    first_name: str
    last_name: str
    birth_date: date
    payer_id: str
    member_id: str
    active: bool  # inactive members model "coverage ended" defects
    secondary: tuple[str, str] | None = None  # (payer id, member id): a supplemental plan billed after the primary
    cost_sharing: dict[str, str] = field(default_factory=dict)  # the member's own, where not the plan's
    remittance: str = "electronic"  # or paper: the payer adjudicates but sends no 835

    @property
    def dual_eligible(self) -> bool:
        return self.secondary is not None and self.secondary[0] == "SIMMCD"


def patient(rng: random.Random, practice: int, n: int) -> Patient:
    """The practice's `n`th patient and the plan they hold (`give_plans` gives them the others)."""
    return Patient(
        external_id=f"p{practice}-{n}",
        first_name=rng.choice(FIRST),
        last_name=rng.choice(LAST),
        birth_date=date(rng.randint(1950, 2012), rng.randint(1, 12), rng.randint(1, 28)),
        payer_id=rng.choice(PLANS),
        member_id=f"M{practice}{n:05d}{rng.randint(100, 999)}",
        active=rng.random() > 0.04,
    )


def give_plans(roster: list[Patient], rng: random.Random) -> None:
    """A share of the Medicare patients also hold a Blue supplemental plan: their claims go to it once Medicare
    has paid (its deductible and coinsurance are what the supplemental plan covers). Dual eligibles hold Medicaid
    as their secondary: Medicare forwards their claims (a crossover), nobody bills it by hand. A share of the
    Blue patients are on its high-deductible plan, and a few patients' payers remit on paper."""
    for someone in roster:
        draw = rng.random()
        if someone.payer_id == "SIMMCR" and draw < SUPPLEMENTAL_SHARE:
            someone.secondary = ("SIMBCX", f"S{someone.member_id}")
        elif someone.payer_id == "SIMMCR" and draw < SUPPLEMENTAL_SHARE + DUAL_ELIGIBLE_SHARE:
            someone.secondary = ("SIMMCD", f"D{someone.member_id}")
        elif someone.payer_id == "SIMBCX" and draw < HIGH_DEDUCTIBLE_SHARE:
            someone.cost_sharing = dict(HIGH_DEDUCTIBLE_PLAN)
        if rng.random() < PAPER_REMITTANCE_SHARE:
            someone.remittance = "paper"


def coverages(someone: Patient) -> dict[str, Any]:
    secondary = someone.secondary
    others = (
        [{"payer_id": secondary[0], "member_id": secondary[1], "relationship": "self", "responsibility": "secondary"}]
        if secondary
        else []
    )
    return {
        "coverage": {"payer_id": someone.payer_id, "member_id": someone.member_id, "relationship": "self"},
        "other_coverages": others,
    }


def enrollments(someone: Patient) -> list[tuple[str, str]]:
    """(payer, member id) of each plan the patient holds, to enroll through the members API. Enrolling a plan that
    carves mental health out puts the member on its administrator's roster too (the API does it)."""
    return [(someone.payer_id, someone.member_id), *([someone.secondary] if someone.secondary else [])]


def member_bodies(someone: Patient, today: date) -> list[tuple[str, dict[str, Any]]]:
    """Each (payer, members API body) to enroll the patient with: covered since January of last year (an inactive
    one's coverage ended four months ago), with their own cost sharing and remittance where they have them."""
    member = {
        "first_name": someone.first_name,
        "last_name": someone.last_name,
        "birth_date": someone.birth_date.isoformat(),
        "coverage_start": f"{today.year - 1}-01-01",
        "coverage_end": None if someone.active else (today - timedelta(days=120)).isoformat(),
        "remittance": someone.remittance,
    }
    primary = {**member, **someone.cost_sharing, "member_id": someone.member_id}
    return [(someone.payer_id, primary)] + [
        (payer_id, {**member, "member_id": member_id}) for payer_id, member_id in enrollments(someone)[1:]
    ]
