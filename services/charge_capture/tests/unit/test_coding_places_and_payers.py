"""The coding engine against the shipped rule data: telehealth and place of service, Medicaid tiers, H-codes and
payer overrides."""

from datetime import date

import pytest
from charge_capture.coding.engine import Procedure, Service, Telehealth, first_and_add_on_units, timed_units
from charge_capture.coding.policy import Layer
from coding_testkit import code, codes, rules_broken

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
