"""The engine's first step: codes from a service kind and its minutes, or the codes the EHR sent, checked
against their documented time."""

from collections.abc import Sequence

from charge_capture.coding import explicit_time
from charge_capture.coding.model import Line, Procedure, Service, Work, category
from charge_capture.coding.rulebook import Band

# --- codes from a service kind --------------------------------------------------------------------------


def band_for(bands: Sequence[Band], minutes: int) -> str | None:
    for band in bands:
        if band.from_minutes <= minutes and (band.to_minutes is None or minutes <= band.to_minutes):
            return band.code
    return None


def timed_units(minutes: int, increment: int, strategy: str) -> int:
    """Minutes to units for per-increment codes (per 15 minutes for H-codes), as the payer counts them."""
    if strategy == "up_to_15":  # any part of an increment is a unit
        return -(-minutes // increment)
    if strategy == "full_15":  # only whole increments
        return minutes // increment
    half = increment // 2 + 1  # midpoint: more than half an increment makes a unit
    return 0 if minutes < half else (minutes - half) // increment + 1


def first_and_add_on_units(minutes: int, increment: int) -> tuple[int, int]:
    """Units of a first-increment code and of its add-on; each unit needs more than half its increment (CPT).

    With 60-minute units: 31-90 minutes is the first hour alone, 91-150 adds one unit, 151-210 two.
    """
    half = increment // 2 + 1
    if minutes < half:
        return 0, 0
    return 1, (minutes - half) // increment


def code_service(work: Work, service: Service) -> None:
    rules, policy = work.rules, work.policy
    minutes = service.minutes or 0
    substitute = policy.service_codes.get(service.kind)
    if substitute is not None:
        _code_substitute(work, substitute, minutes)
    elif service.kind == "psychotherapy":
        _code_psychotherapy(work, minutes)
    elif service.kind == "psychotherapy_with_em":
        _code_psychotherapy_with_em(work, service, minutes)
    elif service.kind == "diagnostic_evaluation":
        work.add("90791")
    elif service.kind == "diagnostic_evaluation_medical":
        work.add("90792")
    elif service.kind == "crisis":
        _code_crisis(work, minutes)
    elif service.kind in ("family_with_patient", "family_without_patient"):
        family = rules.family
        code = family["with_patient" if service.kind == "family_with_patient" else "without_patient"]
        if minutes < family["min_minutes"]:
            work.problem(
                "family.minimum-time",
                "service.minutes",
                f"family psychotherapy needs at least {family['min_minutes']} minutes; {minutes} were documented",
            )
        else:
            work.add(code, minutes=minutes)
    elif service.kind == "group":
        work.add("90853", minutes=service.minutes)
    elif service.kind == "psychological_testing":
        _code_testing(work, service)
    if service.interactive_complexity:
        work.add("90785")


def _code_substitute(work: Work, code: str, minutes: int) -> None:
    info = work.rules.code(code)
    increment = info.unit_minutes if info else None
    units = timed_units(minutes, increment, work.policy.minutes_to_units) if increment else 1
    if units < 1:
        work.problem(
            "units.minimum-time",
            "service.minutes",
            f"{minutes} minutes make no billable unit of {code} under this payer's {work.policy.minutes_to_units} rule",
        )
        return
    work.add(code, units, minutes=minutes)


def _code_psychotherapy(work: Work, minutes: int, *, field_: str = "service.minutes") -> None:
    code = band_for(work.rules.bands["psychotherapy"], minutes)
    if code is None:
        low = work.rules.bands["psychotherapy"][0].from_minutes
        work.problem(
            "psychotherapy.minimum-time",
            field_,
            f"psychotherapy under {low} minutes is not billable; {minutes} minutes were documented",
        )
        return
    work.add(code, minutes=minutes)


def _code_psychotherapy_with_em(work: Work, service: Service, minutes: int) -> None:
    em_code = service.em_code or ""
    if em_code not in work.rules.em_codes:
        work.problem(
            "em.unknown-code", "service.em_code", f"{em_code or 'no code'} is not an E/M code for this service"
        )
        return
    work.add(em_code)
    add_on = band_for(work.rules.bands["psychotherapy_addon"], minutes)
    if add_on is None:
        work.warn(
            "psychotherapy.minimum-time",
            "service.minutes",
            f"{minutes} minutes of psychotherapy is under the add-on's minimum: the E/M is billed alone",
        )
        return
    work.add(add_on, minutes=minutes)


def _code_crisis(work: Work, minutes: int) -> None:
    crisis = work.rules.crisis
    if minutes < crisis["first_from"]:
        work.warn(
            "crisis.minimum-time",
            "service.minutes",
            f"crisis care under {crisis['first_from']} minutes is coded as psychotherapy",
        )
        _code_psychotherapy(work, minutes)
        return
    work.add(crisis["first_code"], minutes=minutes)
    past = minutes - crisis["first_to"]
    if past > 0:
        work.add(crisis["addon_code"], (past - 1) // crisis["addon_minutes"] + 1)


def _code_testing(work: Work, service: Service) -> None:
    testing = work.rules.testing
    activities = [
        ("neuro_evaluation" if service.neuropsychological else "evaluation", service.evaluation_minutes),
        ("administration", service.administration_minutes),
        ("technician", service.technician_minutes),
    ]
    for activity, minutes in activities:
        codes = testing[activity]
        info = work.rules.code(codes["first"])
        increment = info.unit_minutes if info and info.unit_minutes else 60
        first, add_on = first_and_add_on_units(minutes, increment)
        if first:
            work.add(codes["first"], minutes=minutes)
        if add_on:
            work.add(codes["addon"], add_on)
    if not work.lines:
        work.problem(
            "testing.minimum-time",
            "service",
            "psychological testing needs more than half an hour of evaluation or 15 minutes of administration",
        )


# --- codes the EHR sent ---------------------------------------------------------------------------------


def take_procedures(work: Work, procedures: Sequence[Procedure]) -> None:
    for index, procedure in enumerate(procedures):
        source = f"procedures[{index}]"
        info = work.rules.code(procedure.code)
        if info is None:
            work.problem("code.unknown", f"{source}.code", f"{procedure.code} is not a code this service bills")
            continue
        if procedure.minutes is not None:
            _check_documented_time(work, info.category, procedure.code, procedure.minutes, source)
        units = procedure.units
        if units is None and procedure.minutes is not None and info.category == "hcpcs_timed" and info.unit_minutes:
            units = timed_units(procedure.minutes, info.unit_minutes, work.policy.minutes_to_units)
        work.lines.append(
            Line(
                procedure.code,
                tuple(m.upper() for m in procedure.modifiers),
                units if units is not None else 1,
                procedure.diagnosis_pointers,
                minutes=procedure.minutes,
                source=source,
            )
        )


def check_explicit_time(work: Work) -> None:
    rules = work.rules

    def unit_minutes(code: str) -> int | None:
        info = rules.code(code)
        return info.unit_minutes if info else None

    for rule, field_, message in explicit_time.check(
        work.lines,
        category=lambda code: category(rules, code),
        unit_minutes=unit_minutes,
        crisis=rules.crisis,
        testing=rules.testing,
        units_for=lambda minutes, increment: timed_units(minutes, increment, work.policy.minutes_to_units),
    ):
        work.problem(rule, field_, message)


def _check_documented_time(work: Work, category: str, code: str, minutes: int, source: str) -> None:
    """A timed code must match its documented minutes: a 50-minute session is 90834, never 90837."""
    band_service = {"psychotherapy": "psychotherapy", "psychotherapy_addon": "psychotherapy_addon"}.get(category)
    if band_service is not None:
        expected = band_for(work.rules.bands[band_service], minutes)
        if expected != code:
            should = f"{minutes} minutes is {expected}" if expected else f"{minutes} minutes is not billable"
            work.problem("psychotherapy.time-band", f"{source}.minutes", f"{code} does not match the time: {should}")
    elif category == "family" and minutes < work.rules.family["min_minutes"]:
        work.problem(
            "family.minimum-time",
            f"{source}.minutes",
            f"{code} needs at least {work.rules.family['min_minutes']} minutes; {minutes} were documented",
        )
    elif category == "crisis" and minutes < work.rules.crisis["first_from"]:
        work.problem(
            "crisis.minimum-time",
            f"{source}.minutes",
            f"{code} needs at least {work.rules.crisis['first_from']} minutes; {minutes} were documented",
        )
