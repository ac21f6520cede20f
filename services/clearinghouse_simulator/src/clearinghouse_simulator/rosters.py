"""The workload's patients and their coverage: the plan each holds (a behavioral-health administrator is nobody's
plan: it runs the mental-health benefits of a plan that carves them out), the supplemental plans of some
Medicare patients, and the plans a patient is enrolled in at the simulated payers."""

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from clearinghouse_simulator.payers import shipped

ADMINISTRATORS = {p.payer_id: p.mental_health_administrator[0] for p in shipped().payers.values()
                  if p.mental_health_administrator}  # fmt: skip
PLANS = [payer_id for payer_id in shipped().payers if payer_id not in ADMINISTRATORS.values()]


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


SUPPLEMENTAL_SHARE = 0.25  # Medicare patients with a supplemental (Medigap-like) plan from the Blue payer
DUAL_ELIGIBLE_SHARE = 0.10  # Medicare patients also on Medicaid: Medicare crosses their claims over itself


def give_supplemental_plans(roster: list[Patient], rng: random.Random) -> None:
    """A share of the Medicare patients also hold a Blue supplemental plan: their claims go to it once
    Medicare has paid (its deductible and coinsurance are what the supplemental plan covers). Dual eligibles
    hold Medicaid as their secondary: Medicare forwards their claims (a crossover), nobody bills it by hand."""
    for patient in roster:
        draw = rng.random()
        if patient.payer_id == "SIMMCR" and draw < SUPPLEMENTAL_SHARE:
            patient.secondary = ("SIMBCX", f"S{patient.member_id}")
        elif patient.payer_id == "SIMMCR" and draw < SUPPLEMENTAL_SHARE + DUAL_ELIGIBLE_SHARE:
            patient.secondary = ("SIMMCD", f"D{patient.member_id}")


def coverages(patient: Patient) -> dict[str, Any]:
    secondary = patient.secondary
    others = [{"payer_id": secondary[0], "member_id": secondary[1], "relationship": "self",
               "responsibility": "secondary"}] if secondary else []  # fmt: skip
    return {
        "coverage": {"payer_id": patient.payer_id, "member_id": patient.member_id, "relationship": "self"},
        "other_coverages": others,
    }


def enrollments(patient: Patient) -> list[tuple[str, str]]:
    """(payer, member id) of each plan the patient holds, to enroll through the members API. Enrolling a plan that
    carves mental health out puts the member on its administrator's roster too (the API does it)."""
    return [(patient.payer_id, patient.member_id), *([patient.secondary] if patient.secondary else [])]
