"""The coding engine, rule by rule and boundary by boundary, against the shipped rule data."""

from datetime import date
from decimal import Decimal

import pytest
from charge_capture.coding import policy
from charge_capture.coding.engine import (
    Coding,
    Encounter,
    FeeEntry,
    Procedure,
    Service,
    Telehealth,
    code_encounter,
    first_and_add_on_units,
    timed_units,
)
from charge_capture.coding.policy import Layer
from charge_capture.coding.rulebook import shipped

DOS = date(2026, 3, 2)
F_CODE = ("F33.1",)


def code(
    *,
    service: Service | None = None,
    procedures: tuple[Procedure, ...] = (),
    kind: str = "commercial",
    profile: str | None = None,
    overrides: tuple[Layer, ...] = (),
    credential: str | None = "LCSW",
    diagnoses: tuple[str, ...] = F_CODE,
    telehealth: Telehealth | None = None,
    place_of_service: str = "11",
    fees: list[FeeEntry] | None = None,
    day: date = DOS,
) -> Coding:
    encounter = Encounter(
        service_date=day,
        place_of_service=place_of_service,
        diagnoses=diagnoses,
        service=service,
        procedures=procedures,
        telehealth=telehealth,
    )
    payer_policy = policy.resolve(policy.layers_for(kind, profile, overrides), day)
    return code_encounter(encounter, rules=shipped().on(day), policy=payer_policy, credential=credential, fees=fees)


def codes(coding: Coding) -> list[tuple[str, int]]:
    return [(line.code, line.units) for line in coding.lines]


def rules_broken(coding: Coding) -> set[str]:
    return {issue.rule for issue in coding.problems}


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(15, None), (16, "90832"), (37, "90832"), (38, "90834"), (52, "90834"), (53, "90837"), (75, "90837")],
)
def test_psychotherapy_time_bands(minutes: int, expected: str | None) -> None:
    coding = code(service=Service("psychotherapy", minutes=minutes))
    if expected is None:
        assert rules_broken(coding) == {"psychotherapy.minimum-time"}
        assert coding.lines == ()
    else:
        assert coding.coded, coding.problems
        assert codes(coding) == [(expected, 1)]


@pytest.mark.parametrize(
    ("minutes", "add_on"), [(15, None), (16, "90833"), (37, "90833"), (38, "90836"), (52, "90836"), (53, "90838")]
)
def test_psychotherapy_add_on_bands_with_em(minutes: int, add_on: str | None) -> None:
    coding = code(service=Service("psychotherapy_with_em", minutes=minutes, em_code="99214"), credential="MD")
    assert coding.coded, coding.problems
    assert [c for c, _ in codes(coding)] == ["99214"] + ([add_on] if add_on else [])
    if add_on is None:
        assert {w.rule for w in coding.warnings} == {"psychotherapy.minimum-time"}


def test_psychotherapy_with_em_needs_a_real_em_code() -> None:
    coding = code(service=Service("psychotherapy_with_em", minutes=30, em_code="90834"), credential="MD")
    assert rules_broken(coding) == {"em.unknown-code"}


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (29, [("90832", 1)]),  # under 30: ordinary psychotherapy
        (30, [("90839", 1)]),
        (74, [("90839", 1)]),
        (75, [("90839", 1), ("90840", 1)]),
        (104, [("90839", 1), ("90840", 1)]),
        (105, [("90839", 1), ("90840", 2)]),
        (134, [("90839", 1), ("90840", 2)]),
        (135, [("90839", 1), ("90840", 3)]),
    ],
)
def test_crisis_first_hour_and_each_further_30_minutes(minutes: int, expected: list[tuple[str, int]]) -> None:
    coding = code(service=Service("crisis", minutes=minutes))
    assert coding.coded, coding.problems
    assert codes(coding) == expected


@pytest.mark.parametrize(
    ("kind", "minutes", "expected"),
    [
        ("family_with_patient", 25, None),
        ("family_with_patient", 26, "90847"),
        ("family_without_patient", 25, None),
        ("family_without_patient", 26, "90846"),
    ],
)
def test_family_psychotherapy_needs_26_minutes(kind: str, minutes: int, expected: str | None) -> None:
    coding = code(service=Service(kind, minutes=minutes))  # type: ignore[arg-type]
    if expected is None:
        assert rules_broken(coding) == {"family.minimum-time"}
    else:
        assert codes(coding) == [(expected, 1)]


def test_group_psychotherapy() -> None:
    assert codes(code(service=Service("group", minutes=90))) == [("90853", 1)]


@pytest.mark.parametrize(
    ("credential", "medical", "broken"),
    [
        ("MD", False, set()),
        ("MD", True, set()),
        ("DO", True, set()),
        ("NP", True, set()),
        ("PA", True, set()),
        ("PhD", False, set()),
        ("PhD", True, {"provider.scope"}),
        ("PsyD", True, {"provider.scope"}),
        ("LCSW", True, {"provider.scope"}),
        ("LPC", True, {"provider.scope"}),
        ("LMHC", True, {"provider.scope"}),
        ("LMFT", False, set()),
        ("LMFT", True, {"provider.scope"}),
    ],
)
def test_diagnostic_evaluation_by_credential(credential: str, medical: bool, broken: set[str]) -> None:
    kind = "diagnostic_evaluation_medical" if medical else "diagnostic_evaluation"
    coding = code(service=Service(kind), credential=credential)  # type: ignore[arg-type]
    assert codes(coding) == [("90792" if medical else "90791", 1)]
    assert rules_broken(coding) == broken


@pytest.mark.parametrize("credential", ["PhD", "PsyD", "LCSW", "LPC", "LMHC", "LMFT"])
def test_psychologists_and_counselors_bill_no_em(credential: str) -> None:
    coding = code(service=Service("psychotherapy_with_em", minutes=30, em_code="99213"), credential=credential)
    assert rules_broken(coding) == {"provider.scope"}
    assert {i.message.split(" may not bill ")[1].split(" ")[0] for i in coding.problems} == {"99213", "90833"}


@pytest.mark.parametrize(
    ("credential", "profile", "allowed"),
    [
        ("PhD", None, True), ("MD", None, True), ("LCSW", None, False),
        ("NP", None, True), ("PA", None, True),  # within their state scope, for most payers
        ("NP", "medicaid-credential-tiers", False), ("PA", "medicaid-credential-tiers", False),  # a state's rule
        ("PhD", "medicaid-credential-tiers", True),
    ],
)  # fmt: skip
def test_testing_scope_is_fixed_for_therapists_and_payer_data_for_nps_and_pas(
    credential: str, profile: str | None, allowed: bool
) -> None:
    kind = "medicaid" if profile else "commercial"
    coding = code(
        service=Service("psychological_testing", evaluation_minutes=60),
        credential=credential,
        kind=kind,
        profile=profile,
    )
    assert ("provider.scope" not in rules_broken(coding)) is allowed


@pytest.mark.parametrize(
    ("evaluation", "administration", "technician", "expected"),
    [
        (30, 0, 0, []),
        (31, 0, 0, [("96130", 1)]),
        (90, 0, 0, [("96130", 1)]),
        (91, 0, 0, [("96130", 1), ("96131", 1)]),
        (151, 0, 0, [("96130", 1), ("96131", 2)]),
        (0, 15, 0, []),
        (0, 16, 0, [("96136", 1)]),
        (0, 46, 0, [("96136", 1), ("96137", 1)]),
        (120, 0, 90, [("96130", 1), ("96131", 1), ("96138", 1), ("96139", 2)]),
    ],
)
def test_testing_units(evaluation: int, administration: int, technician: int, expected: list[tuple[str, int]]) -> None:
    service = Service(
        "psychological_testing",
        evaluation_minutes=evaluation,
        administration_minutes=administration,
        technician_minutes=technician,
    )
    coding = code(service=service, credential="PhD")
    assert codes(coding) == expected
    assert ("testing.minimum-time" in rules_broken(coding)) is (expected == [])


def test_neuropsychological_evaluation_codes() -> None:
    coding = code(
        service=Service("psychological_testing", evaluation_minutes=100, neuropsychological=True), credential="PhD"
    )
    assert codes(coding) == [("96132", 1), ("96133", 1)]


def test_professional_and_technician_administration_together_need_a_modifier() -> None:
    coding = code(procedures=(Procedure("96136", minutes=45), Procedure("96138", minutes=45)), credential="PhD")
    assert rules_broken(coding) == {"ncci.pair-edit"}
    bypassed = code(
        procedures=(Procedure("96136", minutes=45), Procedure("96138", modifiers=("59",), minutes=45)), credential="PhD"
    )
    assert bypassed.coded, bypassed.problems


@pytest.mark.parametrize(
    ("primary", "allowed"),
    [("90791", True), ("90832", True), ("90837", True), ("90853", True), ("90846", False), ("90847", False)],
)
def test_interactive_complexity_only_with_the_codes_that_allow_it(primary: str, allowed: bool) -> None:
    coding = code(procedures=(Procedure(primary), Procedure("90785")))
    assert ("addon.requires-primary" not in rules_broken(coding)) is allowed


def test_interactive_complexity_never_with_crisis() -> None:
    coding = code(service=Service("crisis", minutes=60, interactive_complexity=True))
    assert {"addon.requires-primary", "ncci.pair-edit"} <= rules_broken(coding)


@pytest.mark.parametrize("add_on", ["90833", "90836", "90838", "90840", "90785", "96131"])
def test_add_on_alone_is_refused(add_on: str) -> None:
    coding = code(procedures=(Procedure(add_on),), credential="MD")
    assert "addon.requires-primary" in rules_broken(coding)


def test_add_on_with_em_primary_is_accepted() -> None:
    coding = code(procedures=(Procedure("99213"), Procedure("90836", minutes=45)), credential="MD")
    assert coding.coded, coding.problems


def test_psychotherapy_with_its_own_add_on_is_a_pair_edit() -> None:
    coding = code(procedures=(Procedure("99213"), Procedure("90834"), Procedure("90836")), credential="MD")
    assert "ncci.pair-edit" in rules_broken(coding)


def test_evaluation_and_psychotherapy_same_day() -> None:
    assert "ncci.pair-edit" in rules_broken(code(procedures=(Procedure("90791"), Procedure("90837"))))


@pytest.mark.parametrize(
    ("code_sent", "minutes", "ok"),
    [("90837", 50, False), ("90837", 53, True), ("90834", 52, True), ("90832", 38, False), ("90832", 12, False)],
)
def test_explicit_codes_must_match_documented_minutes(code_sent: str, minutes: int, ok: bool) -> None:
    coding = code(procedures=(Procedure(code_sent, minutes=minutes),))
    assert coding.coded is ok
    if not ok:
        assert rules_broken(coding) == {"psychotherapy.time-band"}


def test_unknown_code_is_named() -> None:
    coding = code(procedures=(Procedure("99999"),))
    assert [(i.rule, i.field) for i in coding.problems] == [("code.unknown", "procedures[0].code")]


def test_unit_limit() -> None:
    coding = code(procedures=(Procedure("90837", units=2, minutes=55),))
    assert rules_broken(coding) == {"ncci.unit-limit"}


# --- telehealth and place of service ---


@pytest.mark.parametrize(
    ("kind", "modality", "at_home", "pos", "modifier"),
    [
        ("medicare", "video", True, "10", "95"),
        ("medicare", "video", False, "02", "95"),
        ("medicare", "audio", True, "10", "93"),
        ("commercial", "video", True, "11", "95"),
        ("commercial", "audio", True, "11", "93"),
        ("medicaid", "video", True, "10", "95"),
    ],
)
def test_telehealth_place_of_service_and_modifier(
    kind: str, modality: str, at_home: bool, pos: str, modifier: str
) -> None:
    coding = code(
        service=Service("psychotherapy", minutes=55),
        kind=kind,
        telehealth=Telehealth(modality, at_home),  # type: ignore[arg-type]
    )
    assert coding.coded, coding.problems
    assert coding.place_of_service == pos
    assert coding.lines[0].modifiers == (modifier,)


def test_medicare_before_2024_used_the_in_person_place_of_service() -> None:
    coding = code(
        service=Service("psychotherapy", minutes=55),
        kind="medicare",
        telehealth=Telehealth("video"),
        day=date(2023, 6, 1),
    )
    assert coding.place_of_service == "11"
    assert coding.lines[0].modifiers == ("95",)


def test_wrong_telehealth_modifier_from_the_ehr_is_replaced() -> None:
    coding = code(procedures=(Procedure("90837", modifiers=("GT",)),), kind="medicare", telehealth=Telehealth("audio"))
    assert coding.lines[0].modifiers == ("93",)
    assert "telehealth.modifier-replaced" in {w.rule for w in coding.warnings}


def test_telehealth_place_of_service_without_modality_is_held() -> None:
    coding = code(service=Service("psychotherapy", minutes=55), place_of_service="10")
    assert rules_broken(coding) == {"telehealth.details-missing"}


def test_telehealth_modifier_on_an_in_person_visit_is_held() -> None:
    coding = code(procedures=(Procedure("90837", modifiers=("95",), minutes=55),))
    assert rules_broken(coding) == {"telehealth.modifier-without-telehealth"}


def test_unknown_place_of_service() -> None:
    assert rules_broken(code(service=Service("group"), place_of_service="98")) == {"place-of-service.unknown"}


# --- Medicaid tiers, H-codes, payer overrides ---


@pytest.mark.parametrize(("minutes", "units"), [(14, 0), (15, 1), (29, 1), (30, 2), (59, 3), (60, 4)])
def test_medicaid_h_code_with_the_payers_full_15_strategy(minutes: int, units: int) -> None:
    coding = code(
        service=Service("psychotherapy", minutes=minutes), kind="medicaid", profile="medicaid-credential-tiers"
    )
    if units == 0:
        assert rules_broken(coding) == {"units.minimum-time"}
    else:
        assert coding.coded, coding.problems
        assert codes(coding) == [("H0004", units)]
        assert coding.lines[0].modifiers == ("HO",)


@pytest.mark.parametrize(
    ("strategy", "minutes", "units"),
    [
        ("up_to_15", 1, 1),
        ("up_to_15", 15, 1),
        ("up_to_15", 16, 2),
        ("full_15", 14, 0),
        ("full_15", 15, 1),
        ("full_15", 29, 1),
        ("midpoint", 7, 0),
        ("midpoint", 8, 1),
        ("midpoint", 22, 1),
        ("midpoint", 23, 2),
    ],
)
def test_minutes_to_units_strategies(strategy: str, minutes: int, units: int) -> None:
    assert timed_units(minutes, 15, strategy) == units


@pytest.mark.parametrize(("minutes", "units"), [(30, (0, 0)), (31, (1, 0)), (90, (1, 0)), (91, (1, 1))])
def test_first_and_add_on_units(minutes: int, units: tuple[int, int]) -> None:
    assert first_and_add_on_units(minutes, 60) == units


@pytest.mark.parametrize(("credential", "tier"), [("LCSW", "HO"), ("LMFT", "HO"), ("PhD", "HP"), ("PsyD", "HP")])
def test_credential_modifier_comes_first(credential: str, tier: str) -> None:
    coding = code(
        service=Service("diagnostic_evaluation"),
        kind="medicaid",
        profile="medicaid-credential-tiers",
        credential=credential,
        telehealth=Telehealth("video"),
    )
    assert coding.lines[0].modifiers == (tier, "GT")


def test_medicaid_plan_refuses_audio_only() -> None:
    coding = code(
        service=Service("diagnostic_evaluation"),
        kind="medicaid",
        profile="medicaid-credential-tiers",
        telehealth=Telehealth("audio"),
    )
    assert rules_broken(coding) == {"telehealth.audio-not-covered"}


def test_commercial_payer_wants_25_on_the_em_beside_an_add_on() -> None:
    coding = code(service=Service("psychotherapy_with_em", minutes=40, em_code="99214"), credential="MD")
    assert [(line.code, line.modifiers) for line in coding.lines] == [("99214", ("25",)), ("90836", ())]
    medicare = code(
        service=Service("psychotherapy_with_em", minutes=40, em_code="99214"), credential="MD", kind="medicare"
    )
    assert medicare.lines[0].modifiers == ()


def test_payer_override_takes_effect_on_its_date() -> None:
    override = Layer("payer", date(2026, 3, 1), {"video_modifier": "GT"})
    before = code(
        service=Service("group"),
        kind="medicare",
        overrides=(override,),
        telehealth=Telehealth("video"),
        day=date(2026, 2, 28),
    )
    after = code(service=Service("group"), kind="medicare", overrides=(override,), telehealth=Telehealth("video"))
    assert before.lines[0].modifiers == ("95",)
    assert after.lines[0].modifiers == ("GT",)


@pytest.mark.parametrize(
    ("credential", "day", "enrolled"),
    [
        ("LMFT", date(2023, 12, 31), False),
        ("LMFT", date(2024, 1, 1), True),
        ("LPC", date(2023, 6, 1), False),
        ("LCSW", date(2023, 6, 1), True),
        ("LMFT", date(2019, 6, 1), False),  # before the public-health emergency too
        ("LMHC", date(2017, 6, 1), False),
    ],
)
def test_medicare_enrolls_mfts_and_counselors_from_2024(credential: str, day: date, enrolled: bool) -> None:
    coding = code(service=Service("psychotherapy", minutes=45), kind="medicare", credential=credential, day=day)
    assert ("payer.credential-not-enrolled" not in rules_broken(coding)) is enrolled


def test_too_many_modifiers() -> None:
    coding = code(
        procedures=(Procedure("90837", modifiers=("59", "XE", "XS", "XP")),),
        kind="medicaid",
        profile="medicaid-credential-tiers",
    )
    assert "modifiers.too-many" in rules_broken(coding)


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
)  # fmt: skip
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
        ((Procedure("99214", units=1), Procedure("G2211", units=1)), "commercial", date(2026, 3, 2),
         {"payer.code-not-accepted"}),
        ((Procedure("99215", units=1), Procedure("99417", units=1)), "commercial", date(2026, 3, 2), set()),
        ((Procedure("99215", units=1), Procedure("99417", units=1)), "medicare", date(2026, 3, 2),
         {"payer.code-not-accepted"}),
        ((Procedure("99215", units=1), Procedure("G2212", units=1)), "medicare", date(2026, 3, 2), set()),
        ((Procedure("99214", units=1), Procedure("99417", units=1)), "commercial", date(2026, 3, 2),
         {"addon.requires-primary"}),
        ((Procedure("G0017", minutes=60), Procedure("G0018", units=1)), "medicare", date(2026, 3, 2), set()),
    ],
)  # fmt: skip
def test_medicare_g_codes_and_prolonged_time(
    procedures: tuple[Procedure, ...], kind: str, day: date, broken: set[str]
) -> None:
    assert rules_broken(code(procedures=procedures, kind=kind, day=day, credential="MD")) == broken


def test_the_new_codes_have_daily_unit_limits() -> None:
    """96127 is billed per instrument, up to the MUE (three a day in the shipped fixture)."""
    assert codes(code(procedures=(Procedure("96127", units=3),))) == [("96127", 3)]
    assert "ncci.unit-limit" in rules_broken(code(procedures=(Procedure("96127", units=4),)))
