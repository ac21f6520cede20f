"""The coding engine, rule by rule and boundary by boundary, against the shipped rule data: codes, who may bill,
add-ons, pair edits and unit limits."""

import pytest
from charge_capture.coding.engine import Procedure, Service
from coding_testkit import code, codes, rules_broken


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
        ("PhD", None, True),
        ("MD", None, True),
        ("LCSW", None, False),
        ("NP", None, True),
        ("PA", None, True),  # within their state scope, for most payers
        ("NP", "medicaid-credential-tiers", False),
        ("PA", "medicaid-credential-tiers", False),  # a state's rule
        ("PhD", "medicaid-credential-tiers", True),
    ],
)
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
