"""The coding engine against the shipped rule data: diagnoses, pricing, and the codes and dates billers meet."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from charge_capture.coding.engine import FeeEntry, Procedure, Service, Telehealth
from coding_testkit import DOS, F_CODE, code, codes, rules_broken

# --- diagnoses ---


@pytest.mark.parametrize(
    ("diagnoses", "broken"),
    [
        (("F33.1",), set()),
        (("F33.1", "Z63.0"), set()),
        (("Z63.0", "F33.1"), {"diagnosis.z-code-primary"}),
        (("F32",), {"diagnosis.not-billable"}),
        (("F32.A",), set()),
        (("I10", "F41.1"), {"diagnosis.primary-not-mental-health"}),
        (("F99.99",), {"diagnosis.not-billable"}),
        # "code first": the underlying condition, then its manifestation (dementia, delirium, due to a condition)
        (("G30.9", "F02.80"), set()),
        (("F02.80", "G30.9"), {"diagnosis.manifestation-first"}),
        (("E03.9", "F06.32"), set()),
        (("F06.32", "E03.9"), {"diagnosis.manifestation-first"}),
        (("G30.9", "F41.1"), {"diagnosis.primary-not-mental-health"}),  # F41.1 is no manifestation of G30.9
    ],
)
def test_diagnosis_rules(diagnoses: tuple[str, ...], broken: set[str]) -> None:
    assert rules_broken(code(service=Service("psychotherapy", minutes=45), diagnoses=diagnoses)) == broken


@pytest.mark.parametrize(
    ("code_", "day", "ok"),
    [
        ("F43.81", date(2022, 9, 30), False),
        ("F43.81", date(2022, 10, 1), True),
        ("F43.8", date(2022, 9, 30), True),
        ("F43.8", date(2022, 10, 1), False),
        ("F33.1", date(2015, 9, 30), False),
    ],
)
def test_diagnosis_validity_follows_the_date_of_service(code_: str, day: date, ok: bool) -> None:
    coding = code(service=Service("psychotherapy", minutes=45), diagnoses=(code_,), day=day, kind="medicaid")
    assert ("diagnosis.not-billable" not in rules_broken(coding)) is ok


def test_pointers_default_to_the_first_four_diagnoses_and_are_checked() -> None:
    five = ("F33.1", "F41.1", "F43.10", "Z63.0", "Z65.8")
    assert code(service=Service("group"), diagnoses=five).lines[0].diagnosis_pointers == (1, 2, 3, 4)
    bad = code(procedures=(Procedure("90837", minutes=55, diagnosis_pointers=(1, 3)),), diagnoses=("F33.1", "F41.1"))
    assert [(i.rule, i.field) for i in bad.problems] == [("diagnosis.pointer", "procedures[0].diagnosis_pointers")]


def test_the_code_set_is_read_by_the_process_that_checks_a_code_and_no_other() -> None:
    """The worker and a migration import the service whole: the set (seconds and 170 MB) stays unread there."""
    check = "import sys, charge_capture.service; assert 'simple_icd_10_cm' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True).stderr == ""


# --- pricing ---


def test_pricing_uses_the_most_specific_fee_and_multiplies_units() -> None:
    fees = [
        FeeEntry("H0004", frozenset(), Decimal("20.00")),
        FeeEntry("H0004", frozenset({"HO"}), Decimal("18.75")),
    ]
    coding = code(
        service=Service("psychotherapy", minutes=60), kind="medicaid", profile="medicaid-credential-tiers", fees=fees
    )
    assert [(line.code, line.units, line.amount) for line in coding.lines] == [("H0004", 4, Decimal("75.00"))]
    assert coding.total == Decimal("75.00")


def test_missing_fee_holds_the_encounter() -> None:
    coding = code(service=Service("psychotherapy", minutes=60), fees=[FeeEntry("90834", frozenset(), Decimal("100"))])
    assert rules_broken(coding) == {"fee.missing"}


def test_every_problem_is_reported_at_once() -> None:
    coding = code(
        procedures=(Procedure("90837", minutes=50), Procedure("90833")),
        diagnoses=("Z63.0",),
        credential="LCSW",
        fees=[],
    )
    assert rules_broken(coding) >= {
        "psychotherapy.time-band",
        "provider.scope",
        "addon.requires-primary",
        "ncci.pair-edit",
        "diagnosis.z-code-primary",
        "fee.missing",
    }


def test_the_order_that_matters_is_each_lines_own_pointers() -> None:
    """The claim's first diagnosis may serve an E/M line; a psychotherapy line points to its own first."""

    def visit(em: tuple[int, ...], therapy: tuple[int, ...]) -> set[str]:
        lines = (
            Procedure("99213", units=1, diagnosis_pointers=em),
            Procedure("90836", units=1, minutes=40, diagnosis_pointers=therapy),
        )
        return rules_broken(code(procedures=lines, diagnoses=("I10", "F41.1"), credential="MD"))

    assert "diagnosis.primary-not-mental-health" not in visit(em=(1,), therapy=(2, 1))
    assert "diagnosis.primary-not-mental-health" in visit(em=(2,), therapy=(1, 2))


@pytest.mark.parametrize(
    ("procedures", "broken"),
    [
        ((Procedure("90839", minutes=60), Procedure("90840", units=1)), {"crisis.addon-time"}),
        ((Procedure("90839", minutes=75), Procedure("90840", units=1)), set()),
        ((Procedure("90839", minutes=104), Procedure("90840", units=2)), {"crisis.addon-time"}),
        ((Procedure("90839", minutes=105), Procedure("90840", units=2)), set()),
        ((Procedure("96130", minutes=120), Procedure("96131", units=3)), {"testing.addon-time"}),
        ((Procedure("96130", minutes=120), Procedure("96131", units=1)), set()),
        ((Procedure("96130", minutes=25),), {"testing.minimum-time"}),
        ((Procedure("H0004", minutes=7),), {"units.under-one-unit"}),
        ((Procedure("H0004", minutes=30, units=3),), {"units.exceed-time"}),
        ((Procedure("H0004", minutes=30, units=2),), set()),
        ((Procedure("90832"),), {"time.missing"}),
        ((Procedure("90832", minutes=30),), set()),
    ],
)
def test_explicit_procedures_are_held_to_their_documented_time(
    procedures: tuple[Procedure, ...], broken: set[str]
) -> None:
    credential = "PhD" if procedures[0].code.startswith("961") else "LCSW"
    kind = "medicaid" if procedures[0].code.startswith("H") else "commercial"
    assert rules_broken(code(procedures=procedures, credential=credential, kind=kind)) == broken


@pytest.mark.parametrize(
    ("em_code", "day", "real"),
    [
        ("99214", date(2026, 3, 2), True),
        ("99207", date(2026, 3, 2), False),  # never a code
        ("99230", date(2026, 3, 2), False),
        ("99218", date(2026, 3, 2), False),  # deleted in 2023
        ("99218", date(2022, 6, 1), True),
        ("99241", date(2026, 3, 2), False),
        ("99343", date(2026, 3, 2), False),
        ("99201", date(2021, 6, 1), False),  # deleted in 2021
    ],
)
def test_only_real_em_codes_on_the_date_of_service(em_code: str, day: date, real: bool) -> None:
    procedures = (Procedure(em_code, units=1), Procedure("90833", units=1, minutes=25))
    coding = code(procedures=procedures, credential="MD", day=day)
    assert ("code.unknown" not in rules_broken(coding)) is real


@pytest.mark.parametrize(
    ("at_home", "day", "held"),
    [(True, date(2026, 3, 2), False), (False, date(2026, 3, 2), True), (False, date(2023, 6, 1), False)],
)
def test_medicare_audio_only_needs_the_patient_at_home_from_2024(at_home: bool, day: date, held: bool) -> None:
    coding = code(
        service=Service("psychotherapy", minutes=45),
        kind="medicare",
        day=day,
        telehealth=Telehealth("audio", patient_at_home=at_home),
    )
    assert ("telehealth.audio-only-away-from-home" in rules_broken(coding)) is held


@pytest.mark.parametrize(("day", "pos"), [(date(2021, 12, 31), "02"), (date(2022, 1, 1), "10")])
def test_pos_10_is_used_only_once_it_exists(day: date, pos: str) -> None:
    coding = code(
        service=Service("psychotherapy", minutes=45), kind="medicaid", day=day, telehealth=Telehealth("video")
    )
    assert coding.place_of_service == pos


@pytest.mark.parametrize(("modifiers", "bypassed"), [(("25",), False), (("59",), True), (("XE",), True), ((), False)])
def test_modifier_25_bypasses_no_pair_edit_between_procedures(modifiers: tuple[str, ...], bypassed: bool) -> None:
    """25 marks a separate E/M; on 90837 beside 90847 it is no distinct-service modifier."""
    procedures = (Procedure("90837", modifiers, minutes=55), Procedure("90847", minutes=50))
    assert ("ncci.pair-edit" not in rules_broken(code(procedures=procedures))) is bypassed


@pytest.mark.parametrize(
    ("code_", "day", "ok"),
    [
        ("F50.2", date(2024, 6, 1), True),  # bulimia, billable until the FY2025 set split it by severity
        ("F50.2", date(2024, 10, 1), False),
        ("F50.20", date(2024, 6, 1), False),  # did not exist yet
        ("F50.20", date(2024, 10, 1), True),
        ("F50.810", date(2024, 9, 30), False),
        ("F50.81", date(2024, 9, 30), True),
    ],
)
def test_eating_disorder_codes_follow_the_fy2025_change(code_: str, day: date, ok: bool) -> None:
    coding = code(service=Service("psychotherapy", minutes=45), diagnoses=(code_,), day=day, kind="medicaid")
    assert ("diagnosis.not-billable" not in rules_broken(coding)) is ok


def test_a_date_past_the_loaded_code_set_is_coded_with_a_warning() -> None:
    later = code(service=Service("psychotherapy", minutes=45), day=date(2026, 10, 1))
    assert "diagnosis.code-set-not-loaded" in {w.rule for w in later.warnings}
    assert "diagnosis.code-set-not-loaded" not in {
        w.rule for w in code(service=Service("psychotherapy", minutes=45)).warnings
    }


@pytest.mark.parametrize(
    ("procedures", "kind", "day", "diagnoses", "broken"),
    [
        ((Procedure("96127", units=2),), "commercial", DOS, F_CODE, set()),  # two instruments
        ((Procedure("96158", minutes=30), Procedure("96159", units=1)), "commercial", DOS, ("E11.9",), set()),
        ((Procedure("96159", units=1),), "commercial", DOS, ("E11.9",), {"addon.requires-primary"}),
        ((Procedure("96116", minutes=60), Procedure("96121", units=1)), "commercial", DOS, ("G30.9", "F02.80"), set()),
        ((Procedure("90868"),), "commercial", DOS, ("F33.2",), set()),
        ((Procedure("H2017", minutes=30),), "medicaid", DOS, F_CODE, set()),
        ((Procedure("T1017", minutes=20),), "medicaid", DOS, F_CODE, set()),
        ((Procedure("H0035"),), "medicaid", DOS, F_CODE, set()),
    ],
)
def test_behavioral_health_codes_billers_use(
    procedures: tuple[Procedure, ...], kind: str, day: date, diagnoses: tuple[str, ...], broken: set[str]
) -> None:
    credential = "PhD" if procedures[0].code.startswith(("961", "9612")) else "LCSW"
    coding = code(procedures=procedures, kind=kind, day=day, diagnoses=diagnoses, credential=credential)
    assert rules_broken(coding) == broken


@pytest.mark.parametrize(
    ("procedures", "kind", "day", "broken"),
    [
        ((Procedure("99214", units=1), Procedure("G2211", units=1)), "medicare", date(2026, 3, 2), set()),
        ((Procedure("99214", units=1), Procedure("G2211", units=1)), "medicare", date(2023, 6, 1), {"code.unknown"}),
        (
            (Procedure("99214", units=1), Procedure("G2211", units=1)),
            "commercial",
            date(2026, 3, 2),
            {"payer.code-not-accepted"},
        ),
        ((Procedure("99215", units=1), Procedure("99417", units=1)), "commercial", date(2026, 3, 2), set()),
        (
            (Procedure("99215", units=1), Procedure("99417", units=1)),
            "medicare",
            date(2026, 3, 2),
            {"payer.code-not-accepted"},
        ),
        ((Procedure("99215", units=1), Procedure("G2212", units=1)), "medicare", date(2026, 3, 2), set()),
        (
            (Procedure("99214", units=1), Procedure("99417", units=1)),
            "commercial",
            date(2026, 3, 2),
            {"addon.requires-primary"},
        ),
        ((Procedure("G0017", minutes=60), Procedure("G0018", units=1)), "medicare", date(2026, 3, 2), set()),
    ],
)
def test_medicare_g_codes_and_prolonged_time(
    procedures: tuple[Procedure, ...], kind: str, day: date, broken: set[str]
) -> None:
    assert rules_broken(code(procedures=procedures, kind=kind, day=day, credential="MD")) == broken


def test_the_new_codes_have_daily_unit_limits() -> None:
    """96127 is billed per instrument, up to the MUE (three a day in the shipped fixture)."""
    assert codes(code(procedures=(Procedure("96127", units=3),))) == [("96127", 3)]
    assert "ncci.unit-limit" in rules_broken(code(procedures=(Procedure("96127", units=4),)))
