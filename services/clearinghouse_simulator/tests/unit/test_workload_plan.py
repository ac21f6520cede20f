"""The workload's plans: valid identifiers, the same plan for a seed, defects only when asked for."""

import random
from collections import Counter
from datetime import date

from claimstream_platform.identifiers import npi_is_valid
from clearinghouse_simulator.practices import new_patient
from clearinghouse_simulator.rosters import HIGH_DEDUCTIBLE_PLAN, enrollments, member_bodies
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
    assert 0.4 < len(supplemented) / len(medicare) < 0.7  # a quarter supplemental, three tenths dual eligible
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


def test_the_roster_holds_high_deductible_members_dual_eligibles_and_a_few_paid_on_paper() -> None:
    plan = plan_practice(random.Random(12), 4, patients=600)
    blue = [p for p in plan.patients if p.payer_id == "SIMBCX"]
    high_deductible = [p for p in blue if p.cost_sharing == HIGH_DEDUCTIBLE_PLAN]
    assert 0.15 < len(high_deductible) / len(blue) < 0.45
    assert not [p for p in plan.patients if p.cost_sharing and p.payer_id != "SIMBCX"]
    paper = [p for p in plan.patients if p.remittance == "paper"]
    assert 0 < len(paper) / len(plan.patients) < 0.08
    (payer_id, body), *_ = member_bodies(high_deductible[0], TODAY)
    assert payer_id == "SIMBCX" and (body["copay"], body["deductible"]) == ("0.00", "1500.00")
    assert body["remittance"] == high_deductible[0].remittance and body["coverage_start"] == "2025-01-01"
    (_, paper_body), *others = member_bodies(paper[0], TODAY)
    assert paper_body["remittance"] == "paper" and all(b["remittance"] == "paper" for _, b in others)


def test_dual_eligibles_are_mostly_seen_for_medication_management_with_psychotherapy() -> None:
    rng = random.Random(13)
    plan = plan_practice(rng, 5, patients=200)
    duals = [p for p in plan.patients if p.dual_eligible]
    assert duals and all(p.payer_id == "SIMMCR" and p.secondary and p.secondary[0] == "SIMMCD" for p in duals)
    plan.patients = duals
    kinds = Counter(encounter(rng, plan, today=TODAY, defect_share=0)["service"]["kind"] for _ in range(200))
    assert kinds["psychotherapy_with_em"] > 80  # half of them, and some of the usual mix besides


def test_a_new_patient_joins_the_practice_with_their_plans_and_is_seen_for_an_intake() -> None:
    rng = random.Random(14)
    plan = plan_practice(rng, 6, patients=10)
    joined = new_patient(rng, plan)
    assert plan.patients[-1] is joined and joined.active and joined.external_id == "p6-10"
    body = encounter(rng, plan, today=TODAY, defect_share=1.0, joined=joined)
    assert body["service"] == {"kind": "diagnostic_evaluation"} and body["patient"]["external_id"] == "p6-10"
    provider = next(p for p in plan.providers if p["npi"] == body["rendering_provider_npi"])
    assert provider["credential"] in ("LCSW", "LPC", "PhD")
