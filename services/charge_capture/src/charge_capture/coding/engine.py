"""The coding engine: an encounter in, claim-ready charge lines or every reason they cannot be billed out.

Pure: no IO, no clock. Every rule comes from the `Rules` in force on the date of service and the payer's
`PayerPolicy` on that date; this module only applies them, in the order a biller would:
codes -> who may bill -> add-ons, pair edits, unit limits -> diagnoses -> place of service and telehealth
-> modifiers -> price.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from charge_capture.coding import diagnoses, explicit_time, supervision
from charge_capture.coding.policy import PayerPolicy
from charge_capture.coding.rulebook import Band, Rules

ServiceKind = Literal[
    "psychotherapy",
    "psychotherapy_with_em",
    "diagnostic_evaluation",
    "diagnostic_evaluation_medical",
    "crisis",
    "family_with_patient",
    "family_without_patient",
    "group",
    "psychological_testing",
]
TIMED_KINDS: frozenset[str] = frozenset(
    {"psychotherapy", "psychotherapy_with_em", "crisis", "family_with_patient", "family_without_patient"}
)
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT", "FQ", "GQ"})
TELEHEALTH_POS = frozenset({"02", "10"})
MENTAL_HEALTH_CATEGORIES = frozenset(
    {"evaluation", "evaluation_medical", "psychotherapy", "psychotherapy_addon", "crisis", "family", "group"}
)
MAX_MODIFIERS = 4
MAX_POINTERS = 4
CENT = Decimal("0.01")
# CMS place-of-service code set (public domain): the codes a professional claim may carry.
PLACES_OF_SERVICE = frozenset(
    f"{n:02d}"
    for n in (
        *range(1, 28),
        31,
        32,
        33,
        34,
        41,
        42,
        49,
        50,
        51,
        52,
        53,
        54,
        55,
        56,
        57,
        58,
        60,
        61,
        62,
        65,
        66,
        71,
        72,
        81,
        99,
    )
)


@dataclass(frozen=True)
class Telehealth:
    modality: Literal["video", "audio"]
    patient_at_home: bool = True


@dataclass(frozen=True)
class Procedure:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int | None = None
    minutes: int | None = None
    diagnosis_pointers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Service:
    kind: ServiceKind
    minutes: int | None = None
    em_code: str | None = None
    interactive_complexity: bool = False
    # psychological testing: minutes per activity
    evaluation_minutes: int = 0
    administration_minutes: int = 0
    technician_minutes: int = 0
    neuropsychological: bool = False


@dataclass(frozen=True)
class Encounter:
    service_date: date
    place_of_service: str
    diagnoses: tuple[str, ...]  # normalised (diagnoses.normalise), in the clinician's order
    service: Service | None = None
    procedures: tuple[Procedure, ...] = ()
    telehealth: Telehealth | None = None


@dataclass(frozen=True)
class FeeEntry:
    code: str
    modifiers: frozenset[str]
    amount: Decimal  # per unit


@dataclass(frozen=True)
class Issue:
    rule: str
    field: str
    message: str


@dataclass(frozen=True)
class Line:
    code: str
    modifiers: tuple[str, ...]
    units: int
    diagnosis_pointers: tuple[int, ...]
    amount: Decimal = Decimal("0.00")
    minutes: int | None = None
    source: str = "service"  # the request field this line came from, for issue fields


@dataclass(frozen=True)
class Coding:
    place_of_service: str
    lines: tuple[Line, ...]
    problems: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    arrangement: supervision.ArrangementKind = "own"  # who the claim names as rendering and supervising provider

    @property
    def coded(self) -> bool:
        return not self.problems

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass
class _Work:
    """What the steps share while coding one encounter."""

    rules: Rules
    policy: PayerPolicy
    encounter: Encounter
    lines: list[Line] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def problem(self, rule: str, field_: str, message: str) -> None:
        self.problems.append(Issue(rule, field_, message))

    def warn(self, rule: str, field_: str, message: str) -> None:
        self.warnings.append(Issue(rule, field_, message))

    def add(self, code: str, units: int = 1, *, minutes: int | None = None, source: str = "service") -> None:
        self.lines.append(Line(code, (), units, (), minutes=minutes, source=source))


def code_encounter(
    encounter: Encounter,
    *,
    rules: Rules,
    policy: PayerPolicy,
    credential: str | None,
    fees: Sequence[FeeEntry] | None,
    supervisor_credential: str | None = None,
) -> Coding:
    """Code one encounter. `credential` None: the provider is unknown; `fees` None: pricing is not attempted.
    `supervisor_credential`: the licensed clinician supervising a pre-licensed one."""
    work = _Work(rules, policy, encounter)
    if encounter.service is not None:
        _code_service(work, encounter.service)
    else:
        _take_procedures(work, encounter.procedures)
        _check_explicit_time(work)
    arrangement: supervision.ArrangementKind = "own"
    if credential is not None:
        arrangement = _check_who_bills(work, credential, supervisor_credential)
    _check_add_ons(work)
    _check_pair_edits(work)
    _check_unit_limits(work)
    _check_diagnoses(work)
    place_of_service = _place_of_service_and_telehealth(work)
    _apply_modifiers(work, credential)
    if fees is not None:
        _price(work, fees)
    return Coding(place_of_service, tuple(work.lines), tuple(work.problems), tuple(work.warnings), arrangement)


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


def _code_service(work: _Work, service: Service) -> None:
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


def _code_substitute(work: _Work, code: str, minutes: int) -> None:
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


def _code_psychotherapy(work: _Work, minutes: int, *, field_: str = "service.minutes") -> None:
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


def _code_psychotherapy_with_em(work: _Work, service: Service, minutes: int) -> None:
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


def _code_crisis(work: _Work, minutes: int) -> None:
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


def _code_testing(work: _Work, service: Service) -> None:
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


def _take_procedures(work: _Work, procedures: Sequence[Procedure]) -> None:
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


def _check_explicit_time(work: _Work) -> None:
    rules = work.rules

    def unit_minutes(code: str) -> int | None:
        info = rules.code(code)
        return info.unit_minutes if info else None

    for rule, field_, message in explicit_time.check(
        work.lines, category=lambda code: _category(rules, code), unit_minutes=unit_minutes, crisis=rules.crisis,
        testing=rules.testing, units_for=lambda minutes, increment: timed_units(
            minutes, increment, work.policy.minutes_to_units),
    ):  # fmt: skip
        work.problem(rule, field_, message)


def _check_documented_time(work: _Work, category: str, code: str, minutes: int, source: str) -> None:
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


# --- checks across lines --------------------------------------------------------------------------------


def _category(rules: Rules, code: str) -> str:
    info = rules.code(code)
    return info.category if info else "unknown"


def _check_who_bills(work: _Work, credential: str, supervisor: str | None) -> supervision.ArrangementKind:
    arrangement, problems = supervision.arrange(
        credential, supervisor, pre_licensed=work.rules.pre_licensed, billing=work.policy.supervised_billing
    )
    for rule, field_, message in problems:
        work.problem(rule, field_, message)
    for who in arrangement.scope:
        _check_scope(work, who)
    _check_payer_takes(work, arrangement.enrolled)
    return arrangement.kind


def _check_scope(work: _Work, credential: str) -> None:
    forbidden = work.rules.may_not_bill.get(credential, frozenset()) | work.policy.scope_exclusions.get(
        credential, frozenset()
    )
    for line in work.lines:
        category = _category(work.rules, line.code)
        if category in forbidden:
            work.problem(
                "provider.scope",
                f"{line.source}.code" if line.source != "service" else "rendering_provider_npi",
                f"a provider with credential {credential} may not bill {line.code} ({category.replace('_', ' ')})",
            )


def _check_payer_takes(work: _Work, enrolled: Sequence[tuple[str, str]]) -> None:
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


def _check_add_ons(work: _Work) -> None:
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


def _check_pair_edits(work: _Work) -> None:
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


def _check_unit_limits(work: _Work) -> None:
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


def _check_diagnoses(work: _Work) -> None:
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
        work.warn("diagnosis.code-set-not-loaded", "service_date",
                  f"the ICD-10-CM set for {day.isoformat()} is not loaded: checked against the one in force "
                  f"through {diagnoses.CODE_SET_THROUGH.isoformat()}")  # fmt: skip
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


def _check_line_diagnoses(work: _Work, codes: Sequence[str]) -> set[int]:
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
        elif _category(work.rules, line.code) in MENTAL_HEALTH_CATEGORIES:
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


def _place_of_service_and_telehealth(work: _Work) -> str:
    encounter, policy = work.encounter, work.policy
    telehealth = encounter.telehealth
    sent_telehealth_modifiers = {m for line in work.lines for m in line.modifiers if m in TELEHEALTH_MODIFIERS}
    # The engine owns the telehealth modifiers: what the EHR sent is replaced by the payer's policy.
    work.lines[:] = [
        replace(line, modifiers=tuple(m for m in line.modifiers if m not in TELEHEALTH_MODIFIERS))
        for line in work.lines
    ]
    if telehealth is None:
        if encounter.place_of_service in TELEHEALTH_POS:
            work.problem(
                "telehealth.details-missing",
                "telehealth",
                f"place of service {encounter.place_of_service} is telehealth: give the modality (video or audio)",
            )
        if sent_telehealth_modifiers:
            work.problem(
                "telehealth.modifier-without-telehealth",
                "procedures",
                f"telehealth modifier {', '.join(sorted(sent_telehealth_modifiers))} on an in-person visit",
            )
        if encounter.place_of_service not in PLACES_OF_SERVICE:
            work.problem(
                "place-of-service.unknown",
                "place_of_service",
                f"{encounter.place_of_service} is not a CMS place-of-service code",
            )
        return encounter.place_of_service

    if telehealth.modality == "audio":
        _check_audio_only(work, telehealth)
    modifier = policy.video_modifier if telehealth.modality == "video" else policy.audio_modifier
    if modifier:
        work.lines[:] = [replace(line, modifiers=(*line.modifiers, modifier)) for line in work.lines]
    if sent_telehealth_modifiers - {modifier}:
        work.warn(
            "telehealth.modifier-replaced",
            "procedures",
            f"telehealth modifier(s) {', '.join(sorted(sent_telehealth_modifiers - {modifier}))} replaced "
            f"by this payer's {modifier or 'none'}",
        )
    if policy.telehealth_pos == "02_10":
        place = "10" if telehealth.patient_at_home else "02"
    elif policy.telehealth_pos == "02":
        place = "02"
    elif encounter.place_of_service in TELEHEALTH_POS:
        place = "11"
        work.warn("telehealth.place-of-service", "place_of_service", "this payer wants the in-person POS: 11 was used")
    else:
        place = encounter.place_of_service
    if place != encounter.place_of_service and policy.telehealth_pos in ("02_10", "02"):
        work.warn(
            "telehealth.place-of-service",
            "place_of_service",
            f"telehealth for this payer is billed with POS {place}, not {encounter.place_of_service}",
        )
    return place


def _check_audio_only(work: _Work, telehealth: Telehealth) -> None:
    if not work.policy.audio_only_covered:
        work.problem(
            "telehealth.audio-not-covered", "telehealth.modality", "this payer does not cover audio-only visits"
        )
    elif work.policy.audio_only_requires_home and not telehealth.patient_at_home:
        work.problem(
            "telehealth.audio-only-away-from-home",
            "telehealth.patient_at_home",
            "this payer covers audio-only visits only when the patient is at home",
        )


def _apply_modifiers(work: _Work, credential: str | None) -> None:
    """Pricing modifier (credential tier) first, then the rest; 25 on an E/M beside an add-on where wanted."""
    rules, policy = work.rules, work.policy
    tier = policy.credential_modifiers.get(credential or "")
    has_add_on = any(_category(rules, line.code) == "psychotherapy_addon" for line in work.lines)
    for index, line in enumerate(work.lines):
        modifiers = list(line.modifiers)
        is_em = line.code in rules.em_codes
        if is_em and has_add_on and policy.em_modifier_25_with_addon:
            modifiers.insert(0, "25")
        if tier and not is_em:
            modifiers.insert(0, tier)
        ordered = tuple(dict.fromkeys(modifiers))  # drop repeats, keep order
        if len(ordered) > MAX_MODIFIERS:
            work.problem(
                "modifiers.too-many",
                f"{line.source}.modifiers",
                f"{line.code} would carry {len(ordered)} modifiers; a claim line holds {MAX_MODIFIERS}",
            )
        work.lines[index] = replace(line, modifiers=ordered)


def _price(work: _Work, fees: Sequence[FeeEntry]) -> None:
    by_code: dict[str, list[FeeEntry]] = {}
    for fee in fees:
        by_code.setdefault(fee.code, []).append(fee)
    for index, line in enumerate(work.lines):
        entry = best_fee(by_code.get(line.code, ()), line.modifiers)
        if entry is None:
            work.problem(
                "fee.missing",
                f"{line.source}.code" if line.source != "service" else "service",
                f"the payer's fee schedule in force on {work.encounter.service_date.isoformat()} has no amount "
                f"for {line.code}",
            )
            continue
        work.lines[index] = replace(line, amount=(entry.amount * line.units).quantize(CENT))


def best_fee(entries: Sequence[FeeEntry], modifiers: Sequence[str]) -> FeeEntry | None:
    """The entry for the code whose modifiers are all on the line, the most specific first."""
    present = set(modifiers)
    matching = [entry for entry in entries if entry.modifiers <= present]
    return max(matching, key=lambda entry: len(entry.modifiers), default=None)
