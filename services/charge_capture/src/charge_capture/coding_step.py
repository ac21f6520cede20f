"""The coding step: a capture command coded with the rules, payer policy and fee schedule in force on its date of
service, and with what set-up lacks (a provider, a payer) or forbids (a future date) added to the engine's reasons.
Pure: set-up comes in as a `Reference`, read by the handler.
"""

from datetime import date

from claimstream_platform.contracts import Reason

from charge_capture.coded import ChargeLine, Coded
from charge_capture.coding import policy, rulebook
from charge_capture.coding.engine import Coding, Issue, code_encounter
from charge_capture.commands import CaptureEncounter
from charge_capture.parties import parties_of
from charge_capture.repository.reference import Reference

_NOT_SET_UP = "no provider with this NPI is set up for the practice"
_PAYER_NOT_SET_UP = "this payer is not set up for the practice"


def code(command: CaptureEncounter, reference: Reference, today: date) -> Coded:
    """Coding's answer for one version: claim-ready with the parties it names, or held with every reason."""
    coding = coding_of(command, reference)
    problems = set_up_issues(command, reference, today) + list(coding.problems)
    return Coded(
        place_of_service=coding.place_of_service,
        lines=charge_lines(command, coding),
        problems=tuple(_reason(issue) for issue in problems),
        warnings=tuple(_reason(issue) for issue in coding.warnings),
        parties=None if problems else parties_of(reference, coding.arrangement),
    )


def coding_of(command: CaptureEncounter, reference: Reference) -> Coding:
    """The engine's answer, with the rules, payer policy and fee schedule in force on the date of service."""
    day = command.service_date
    provider, payer, supervisor = reference.provider, reference.payer, reference.supervisor
    layers = (
        policy.layers_for(payer.row.kind, payer.row.policy_profile, payer.overrides)
        if payer
        else policy.layers_for("unknown", None)
    )
    return code_encounter(
        command.coding,
        rules=rulebook.current().on(day),
        policy=policy.resolve(layers, day),
        credential=provider.credential if provider else None,
        fees=payer.fees_on(day) if payer else None,
        supervisor_credential=supervisor.credential if supervisor else None,
    )


def charge_lines(command: CaptureEncounter, coding: Coding) -> tuple[ChargeLine, ...]:
    return tuple(
        ChargeLine(
            line_number=number,
            code=line.code,
            modifiers=line.modifiers,
            units=line.units,
            amount=line.amount,
            diagnosis_pointers=line.diagnosis_pointers,
            minutes=line.minutes,
            prior_authorization_number=_line_authorization(command, line.source),
        )
        for number, line in enumerate(coding.lines, start=1)
    )


def set_up_issues(command: CaptureEncounter, reference: Reference, today: date) -> list[Issue]:
    """What stops an encounter before its codes are looked at: a future date, providers or payer not set up."""
    known: list[Issue] = []
    if command.service_date > today:
        known.append(Issue("service-date.future", "service_date", "the date of service is in the future"))
    if reference.provider is None:
        known.append(Issue("provider.unknown", "rendering_provider_npi", _NOT_SET_UP))
    if command.supervising_provider_npi and reference.supervisor is None:
        known.append(Issue("provider.unknown", "supervising_provider_npi", _NOT_SET_UP))
    if reference.payer is None:
        known.append(Issue("payer.unknown", "coverage.payer_id", _PAYER_NOT_SET_UP))
    for n, payer_id in enumerate(command.other_payer_ids):
        if payer_id not in reference.other_payers:
            known.append(Issue("payer.unknown", f"other_coverages[{n}].payer_id", _PAYER_NOT_SET_UP))
    return known


def _line_authorization(command: CaptureEncounter, source: str) -> str | None:
    """A procedure's own authorization, kept on its line when it differs from the encounter's (2400 REF*G1)."""
    if not command.procedure_authorizations or not source.startswith("procedures["):
        return None
    number = command.procedure_authorizations[int(source.removeprefix("procedures[").rstrip("]"))]
    return number if number != command.claim.prior_authorization_number else None


def _reason(issue: Issue) -> Reason:
    return Reason(rule=issue.rule, field=issue.field, message=issue.message)
