"""The demo practices, planned from a seed: a realistic mix of clinicians, every simulated payer, and patients
with their plans. Data only: `workload.py` sets them up through the public APIs and posts their encounters."""

import random
from dataclasses import dataclass, field
from typing import Any

from claimstream_platform.identifiers import npi_check_digit

from clearinghouse_simulator.payers import shipped
from clearinghouse_simulator.rosters import Patient, give_plans, patient
from clearinghouse_simulator.workload_mix import FIRST, LAST, STAFF


def npi(rng: random.Random) -> str:
    """A random NPI with a valid check digit."""
    body = str(rng.randint(100_000_000, 199_999_999))
    return body + str(npi_check_digit(body))


@dataclass
class PracticePlan:
    body: dict[str, Any]
    providers: list[dict[str, Any]]
    payers: list[dict[str, Any]]
    patients: list[Patient]
    id: str = ""
    index: int = 0
    posted: list[dict[str, Any]] = field(default_factory=list)  # for duplicate defects


def plan_practice(rng: random.Random, index: int, *, patients: int = 60) -> PracticePlan:
    address = {"line1": f"{100 + index} Main St", "city": "Portland", "state": "OR", "postal_code": "972011234"}
    providers = [
        {
            "npi": npi(rng),
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "credential": credential,
            "taxonomy": taxonomy,
        }
        for credential, taxonomy, count in STAFF
        for _ in range(count)
    ]
    roster = [patient(rng, index, n) for n in range(patients)]
    give_plans(roster, random.Random(rng.random()))
    body = {
        "name": f"Practice {index} Behavioral Health",
        "npi": npi(rng),
        "tax_id": f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
        "taxonomy": "261QM0801X",
        "address": address,
    }
    return PracticePlan(body, providers, _payers(), roster, index=index)


def _payers() -> list[dict[str, Any]]:
    """Every simulated payer, as the practice lists it in charge capture."""
    payers = []
    for profile in shipped().payers.values():
        payer: dict[str, Any] = {
            "payer_id": profile.payer_id,
            "name": profile.name,
            "kind": profile.kind,
            "claim_filing_indicator": profile.claim_filing_indicator,
        }
        if profile.kind == "medicaid":
            payer["policy_profile"] = "medicaid-credential-tiers"
        payers.append(payer)
    return payers


def new_patient(rng: random.Random, plan: PracticePlan) -> Patient:
    """A patient who joins the practice now, with the plans they hold (a new member has all of the year's
    deductible left)."""
    joined = patient(rng, plan.index, len(plan.patients))
    joined.active = True
    give_plans([joined], rng)
    plan.patients.append(joined)
    return joined
