"""The workload's plans: valid identifiers, the same plan for a seed, defects only when asked for."""

import random
from collections import Counter
from datetime import date

from claimstream_platform.identifiers import npi_is_valid
from clearinghouse_simulator.rosters import enrollments
from clearinghouse_simulator.workload import encounter, plan_practice

TODAY = date(2026, 11, 27)


def test_plans_are_valid_and_fixed_by_the_seed() -> None:
    first, again = plan_practice(random.Random(5), 0), plan_practice(random.Random(5), 0)
    assert first.body == again.body and first.providers == again.providers
    assert npi_is_valid(first.body["npi"]) and all(npi_is_valid(p["npi"]) for p in first.providers)
    assert Counter(p["credential"] for p in first.providers) == Counter(
        {"MD": 1, "NP": 1, "PhD": 1, "LCSW": 2, "LPC": 1, "LMFT": 1}
    )
    assert {p.payer_id for p in first.patients} == {"SIMMCR", "SIMMCD", "SIMBCX", "SIMAHP"}


def test_without_defects_every_encounter_is_clean_and_recent() -> None:
    rng = random.Random(9)
    plan = plan_practice(rng, 1)
    bodies = [encounter(rng, plan, today=TODAY, defect_share=0) for _ in range(300)]
    assert all(not b["diagnoses"][0].startswith("Z") for b in bodies)
    assert all((TODAY - date.fromisoformat(b["service_date"])).days <= 10 for b in bodies)
    assert all(b["place_of_service"] == "11" for b in bodies)
    kinds = Counter(b["service"]["kind"] for b in bodies)
    assert kinds.most_common(1)[0][0] == "psychotherapy"
    telehealth = sum("telehealth" in b for b in bodies) / len(bodies)
    assert 0.3 < telehealth < 0.5
    tested = [b for b in bodies if b["service"]["kind"] == "psychological_testing"]
    assert all("prior_authorization_number" in b for b in tested)


def test_defects_appear_in_their_share() -> None:
    rng = random.Random(4)
    plan = plan_practice(rng, 2)
    bodies = [encounter(rng, plan, today=TODAY, defect_share=1.0) for _ in range(200)]
    late = sum((TODAY - date.fromisoformat(b["service_date"])).days >= 200 for b in bodies)
    z_first = sum(b["diagnoses"][0] == "Z63.0" for b in bodies)
    assert late > 10 and z_first > 10
    assert all(len(set(b["diagnoses"])) == len(b["diagnoses"]) for b in bodies)


def test_a_share_of_medicare_patients_hold_a_supplemental_plan_billed_second() -> None:
    rng = random.Random(11)
    plan = plan_practice(rng, 3, patients=400)
    medicare = [p for p in plan.patients if p.payer_id == "SIMMCR"]
    supplemented = [p for p in medicare if p.secondary]
    assert 0.2 < len(supplemented) / len(medicare) < 0.5
    assert {p.secondary[0] for p in supplemented if p.secondary} == {"SIMBCX", "SIMMCD"}  # Medigap, dual eligible
    assert not [p for p in plan.patients if p.secondary and p.payer_id != "SIMMCR"]
    bodies = [encounter(rng, plan, today=TODAY, defect_share=0) for _ in range(300)]
    billed_second = [b for b in bodies if b["other_coverages"]]
    assert billed_second and all(b["coverage"]["payer_id"] == "SIMMCR" for b in billed_second)
    assert {b["other_coverages"][0]["responsibility"] for b in billed_second} == {"secondary"}


def test_the_workload_enrolls_each_patient_in_the_plans_they_hold() -> None:
    plan = plan_practice(random.Random(5), 0)
    blue = next(p for p in plan.patients if p.payer_id == "SIMBCX" and p.secondary is None)
    assert enrollments(blue) == [("SIMBCX", blue.member_id)]  # the members API adds the administrator's roster
    medicare = next(p for p in plan.patients if p.payer_id == "SIMMCR" and p.secondary is None)
    assert enrollments(medicare) == [("SIMMCR", medicare.member_id)]
