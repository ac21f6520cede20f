"""An encounter as the coding engine takes it (with the rules, payer policy and fee schedule in force on its
date), and the rows and reasons its answer becomes. Pure.
"""

from datetime import date
from typing import Any
from uuid import UUID

from charge_capture.coding import policy, rulebook
from charge_capture.coding.engine import Coding, Encounter, Issue, Procedure, Service, Telehealth, code_encounter
from charge_capture.repository.reference import Reference
from charge_capture.schemas import EncounterIn


def coding_of(body: EncounterIn, reference: Reference) -> Coding:
    """The engine's answer, with the rules, payer policy and fee schedule in force on the date of service."""
    day = body.service_date
    provider, payer, supervisor = reference.provider, reference.payer, reference.supervisor
    layers = (
        policy.layers_for(payer.row.kind, payer.row.policy_profile, payer.overrides)
        if payer
        else policy.layers_for("unknown", None)
    )
    return code_encounter(
        to_engine(body),
        rules=rulebook.current().on(day),
        policy=policy.resolve(layers, day),
        credential=provider.credential if provider else None,
        fees=payer.fees_on(day) if payer else None,
        supervisor_credential=supervisor.credential if supervisor else None,
    )


def line_rows(body: EncounterIn, coding: Coding, encounter_id: UUID, version: int) -> list[dict[str, Any]]:
    return [
        {
            "encounter_id": encounter_id,
            "version": version,
            "line_number": number,
            "code": line.code,
            "modifiers": list(line.modifiers),
            "units": line.units,
            "amount": line.amount,
            "diagnosis_pointers": list(line.diagnosis_pointers),
            "minutes": line.minutes,
            "prior_authorization_number": _line_authorization(body, line.source),
        }  # fmt: skip
        for number, line in enumerate(coding.lines, start=1)
    ]


def set_up_issues(body: EncounterIn, reference: Reference, today: date) -> list[Issue]:
    """What stops an encounter before its codes are looked at: a future date, providers or payer not set up."""
    known: list[Issue] = []
    if body.service_date > today:
        known.append(Issue("service-date.future", "service_date", "the date of service is in the future"))
    if reference.provider is None:
        known.append(
            Issue("provider.unknown", "rendering_provider_npi", "no provider with this NPI is set up for the practice")
        )
    if body.supervising_provider_npi and reference.supervisor is None:
        known.append(
            Issue(
                "provider.unknown", "supervising_provider_npi", "no provider with this NPI is set up for the practice"
            )
        )
    if reference.payer is None:
        known.append(Issue("payer.unknown", "coverage.payer_id", "this payer is not set up for the practice"))
    for n, coverage in enumerate(body.other_coverages):
        if coverage.payer_id not in reference.other_payers:
            field = f"other_coverages[{n}].payer_id"
            known.append(Issue("payer.unknown", field, "this payer is not set up for the practice"))
    return known


def _line_authorization(body: EncounterIn, source: str) -> str | None:
    """A procedure's own authorization, kept on its line when it differs from the encounter's (2400 REF*G1)."""
    if not body.procedures or not source.startswith("procedures["):
        return None
    number = body.procedures[int(source.removeprefix("procedures[").rstrip("]"))].prior_authorization_number
    return number if number != body.prior_authorization_number else None


def to_engine(body: EncounterIn) -> Encounter:
    service = body.service
    return Encounter(
        service_date=body.service_date,
        place_of_service=body.place_of_service,
        diagnoses=tuple(body.diagnoses),
        service=Service(**service.model_dump()) if service else None,
        procedures=tuple(
            Procedure(p.code, tuple(p.modifiers), p.units, p.minutes, tuple(p.diagnosis_pointers))
            for p in body.procedures or ()
        ),
        telehealth=Telehealth(body.telehealth.modality, body.telehealth.patient_at_home) if body.telehealth else None,
    )


def issue_json(issue: Issue) -> dict[str, str]:
    return {"rule": issue.rule, "field": issue.field, "message": issue.message}
