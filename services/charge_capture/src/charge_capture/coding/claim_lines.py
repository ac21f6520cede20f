"""The engine's last steps: place of service and telehealth, modifiers, and the price of each line."""

from collections.abc import Sequence
from dataclasses import replace

from charge_capture.coding.model import (
    CENT,
    MAX_MODIFIERS,
    PLACES_OF_SERVICE,
    TELEHEALTH_MODIFIERS,
    TELEHEALTH_POS,
    FeeEntry,
    Telehealth,
    Work,
    category,
)


def place_of_service_and_telehealth(work: Work) -> str:
    encounter = work.encounter
    sent_telehealth_modifiers = {m for line in work.lines for m in line.modifiers if m in TELEHEALTH_MODIFIERS}
    # The engine owns the telehealth modifiers: what the EHR sent is replaced by the payer's policy.
    work.lines[:] = [
        replace(line, modifiers=tuple(m for m in line.modifiers if m not in TELEHEALTH_MODIFIERS))
        for line in work.lines
    ]
    if encounter.telehealth is None:
        _check_in_person(work, sent_telehealth_modifiers)
        return encounter.place_of_service
    if encounter.telehealth.modality == "audio":
        _check_audio_only(work, encounter.telehealth)
    _telehealth_modifier(work, encounter.telehealth, sent_telehealth_modifiers)
    return _telehealth_place(work, encounter.telehealth)


def _check_in_person(work: Work, sent_telehealth_modifiers: set[str]) -> None:
    place = work.encounter.place_of_service
    if place in TELEHEALTH_POS:
        work.problem(
            "telehealth.details-missing",
            "telehealth",
            f"place of service {place} is telehealth: give the modality (video or audio)",
        )
    if sent_telehealth_modifiers:
        sent = ", ".join(sorted(sent_telehealth_modifiers))
        work.problem(
            "telehealth.modifier-without-telehealth", "procedures", f"telehealth modifier {sent} on an in-person visit"
        )
    if place not in PLACES_OF_SERVICE:
        work.problem("place-of-service.unknown", "place_of_service", f"{place} is not a CMS place-of-service code")


def _telehealth_modifier(work: Work, telehealth: Telehealth, sent_telehealth_modifiers: set[str]) -> None:
    """The payer's modifier for the modality on every line, in place of what the EHR sent."""
    policy = work.policy
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


def _telehealth_place(work: Work, telehealth: Telehealth) -> str:
    """The place of service this payer wants for telehealth: 02/10 by where the patient was, 02, or in person."""
    policy, sent = work.policy, work.encounter.place_of_service
    if policy.telehealth_pos == "02_10":
        place = "10" if telehealth.patient_at_home else "02"
    elif policy.telehealth_pos == "02":
        place = "02"
    elif sent in TELEHEALTH_POS:
        work.warn("telehealth.place-of-service", "place_of_service", "this payer wants the in-person POS: 11 was used")
        return "11"
    else:
        return sent
    if place != sent:
        work.warn(
            "telehealth.place-of-service",
            "place_of_service",
            f"telehealth for this payer is billed with POS {place}, not {sent}",
        )
    return place


def _check_audio_only(work: Work, telehealth: Telehealth) -> None:
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


def apply_modifiers(work: Work, credential: str | None) -> None:
    """Pricing modifier (credential tier) first, then the rest; 25 on an E/M beside an add-on where wanted."""
    rules, policy = work.rules, work.policy
    tier = policy.credential_modifiers.get(credential or "")
    has_add_on = any(category(rules, line.code) == "psychotherapy_addon" for line in work.lines)
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


def price(work: Work, fees: Sequence[FeeEntry]) -> None:
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
