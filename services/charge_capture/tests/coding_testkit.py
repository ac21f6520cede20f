"""The coding engine's test helpers: an encounter coded against the shipped rule data, and what to assert on."""

from datetime import date

from charge_capture.coding import policy
from charge_capture.coding.engine import (
    Coding,
    Encounter,
    FeeEntry,
    Procedure,
    Service,
    Telehealth,
    code_encounter,
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
