"""The engine's checks across lines: who may bill, add-ons, pair edits, unit limits, diagnoses."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from charge_capture.coding import diagnoses, supervision
from charge_capture.coding.model import MAX_POINTERS, MENTAL_HEALTH_CATEGORIES, Line, Work, category
from charge_capture.coding.rulebook import Rules

# --- checks across lines --------------------------------------------------------------------------------


def check_who_bills(work: Work, credential: str, supervisor: str | None) -> supervision.ArrangementKind:
    arrangement, problems = supervision.arrange(
        credential, supervisor, pre_licensed=work.rules.pre_licensed, billing=work.policy.supervised_billing
    )
    for rule, field_, message in problems:
        work.problem(rule, field_, message)
    for who in arrangement.scope:
        _check_scope(work, who)
    _check_payer_takes(work, arrangement.enrolled)
    return arrangement.kind


def _check_scope(work: Work, credential: str) -> None:
    forbidden = work.rules.may_not_bill.get(credential, frozenset()) | work.policy.scope_exclusions.get(
        credential, frozenset()
    )
    for line in work.lines:
        kind = category(work.rules, line.code)
        if kind in forbidden:
            work.problem(
                "provider.scope",
                f"{line.source}.code" if line.source != "service" else "rendering_provider_npi",
                f"a provider with credential {credential} may not bill {line.code} ({kind.replace('_', ' ')})",
            )


def _check_payer_takes(work: Work, enrolled: Sequence[tuple[str, str]]) -> None:
    for line in work.lines:
        if line.code in work.policy.codes_not_accepted:
            work.problem(
                "payer.code-not-accepted",
                f"{line.source}.code" if line.source != "service" else "service",
                f"this payer does not take {line.code} on this date",
            )
    for credential, field_ in enrolled:
        if credential in work.policy.credentials_not_billable:
            work.problem(
                "payer.credential-not-enrolled",
                field_,
                f"this payer does not enroll or pay providers with credential {credential} on this date",
            )


def check_add_ons(work: Work) -> None:
    codes = {line.code for line in work.lines}
    for line in work.lines:
        needed = work.rules.addon_primaries.get(line.code)
        if needed is None:
            continue
        if not any(("em" in needed and code in work.rules.em_codes) or code in needed for code in codes - {line.code}):
            work.problem(
                "addon.requires-primary",
                f"{line.source}.code" if line.source != "service" else "service",
                f"add-on {line.code} needs one of {_describe(needed)} on the same claim",
            )


def _describe(codes: frozenset[str]) -> str:
    return ", ".join(sorted("an E/M code" if code == "em" else code for code in codes))


def check_pair_edits(work: Work) -> None:
    bypass = work.rules.ptp_bypass_modifiers
    for first in work.lines:
        for second in work.lines:
            if first is second:
                continue
            edit = work.rules.pair_edits.get((first.code, second.code))
            if edit is None or edit.modifier_indicator == 9:
                continue
            if edit.modifier_indicator == 1 and _bypassed(work.rules, bypass, first, second):
                continue
            how = "" if edit.modifier_indicator == 0 else " without a distinct-service modifier (59, XE, XS, XP, XU)"
            work.problem(
                "ncci.pair-edit",
                f"{second.source}.code" if second.source != "service" else "service",
                f"{second.code} is not billed with {first.code} on the same day{how}",
            )


def _bypassed(rules: Rules, bypass: frozenset[str], first: Line, second: Line) -> bool:
    """59 and X{EPSU} bypass a pair edit on either line; 25 only on the E/M line of the pair (NCCI: modifier 25
    marks a separately identifiable E/M, never a second procedure)."""
    for line in (first, second):
        modifiers = set(line.modifiers) & bypass
        if modifiers - {"25"} or ("25" in modifiers and line.code in rules.em_codes):
            return True
    return False


def check_unit_limits(work: Work) -> None:
    units = Counter[str]()
    for line in work.lines:
        units[line.code] += line.units
    for code, total in units.items():
        limit = work.rules.unit_limits.get(code)
        if limit is not None and total > limit.max_units:
            work.problem(
                "ncci.unit-limit",
                "service" if work.encounter.service else "procedures",
                f"{code} is limited to {limit.max_units} unit(s) per day; {total} were coded",
            )


def check_diagnoses(work: Work) -> None:
    codes = work.encounter.diagnoses
    day = work.encounter.service_date
    for index, code in enumerate(codes):
        if not diagnoses.billable(code, day):
            work.problem(
                "diagnosis.not-billable",
                f"diagnoses[{index}]",
                f"{code} is not a billable ICD-10-CM code on {day.isoformat()} (a category needs its full code)",
            )
        elif work.policy.warn_unspecified_diagnosis and code in diagnoses.UNSPECIFIED_WARNED:
            work.warn("diagnosis.unspecified", f"diagnoses[{index}]", f"{code} is unspecified: this payer may deny it")
    if not codes:
        work.problem("diagnosis.required", "diagnoses", "at least one diagnosis is required")
        return
    if day > diagnoses.CODE_SET_THROUGH:
        work.warn(
            "diagnosis.code-set-not-loaded",
            "service_date",
            f"the ICD-10-CM set for {day.isoformat()} is not loaded: checked against the one in force "
            f"through {diagnoses.CODE_SET_THROUGH.isoformat()}",
        )
    if diagnoses.is_z_code(codes[0]):
        work.problem("diagnosis.z-code-primary", "diagnoses[0]", f"{codes[0]} is a Z-code: it may only be secondary")
    first_listed = _check_line_diagnoses(work, codes)
    for position in sorted(first_listed | {0}):
        if diagnoses.needs_etiology_first(codes[position]):
            work.problem(
                "diagnosis.manifestation-first",
                f"diagnoses[{position}]",
                f"{codes[position]} is a manifestation code: its underlying condition is coded before it",
            )


def _check_line_diagnoses(work: Work, codes: Sequence[str]) -> set[int]:
    """Each line's pointers (the first four diagnoses unless the EHR said otherwise) and, for mental-health
    services, the order they point in. Returns the positions some line lists first."""
    default_pointers = tuple(range(1, min(len(codes), MAX_POINTERS) + 1))
    first_listed: set[int] = set()
    for index, line in enumerate(work.lines):
        pointers = line.diagnosis_pointers or default_pointers
        if any(not 1 <= p <= len(codes) for p in pointers) or len(pointers) > MAX_POINTERS:
            work.problem(
                "diagnosis.pointer",
                f"{line.source}.diagnosis_pointers",
                f"pointers must be 1 to {MAX_POINTERS} positions among the {len(codes)} diagnoses",
            )
        elif category(work.rules, line.code) in MENTAL_HEALTH_CATEGORIES:
            first_listed.add(pointers[0] - 1)
            reported = pointers[0] == 1 and diagnoses.is_z_code(codes[0])  # already: a Z-code never comes first
            if not reported and not _mental_health_first(codes, pointers):
                work.problem(
                    "diagnosis.primary-not-mental-health",
                    f"diagnoses[{pointers[0] - 1}]",
                    "psychotherapy and evaluation point first to a mental-health diagnosis (F01-F99), or to the "
                    "underlying condition of a manifestation code that follows it",
                )
        work.lines[index] = replace(line, diagnosis_pointers=pointers)
    return first_listed


def _mental_health_first(codes: Sequence[str], pointers: Sequence[int]) -> bool:
    """The line's first diagnosis is mental health, or is the etiology of a manifestation F-code it also points
    to (G30.9 then F02.80: ICD-10-CM's "code first" order)."""
    pointed = [codes[p - 1] for p in pointers]
    if diagnoses.is_mental_health(pointed[0]):
        return True
    return any(diagnoses.is_mental_health(c) and diagnoses.needs_etiology_first(c) for c in pointed[1:])
