"""A payer's billing policy on a date of service, built from effective-dated layers (see payer_policies.toml)."""

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from charge_capture.coding.rulebook import DATA, OPEN_END

TelehealthPos = Literal["02_10", "02", "in_person"]
MinutesToUnits = Literal["up_to_15", "full_15", "midpoint"]
SupervisedBilling = Literal["supervisor_renders", "supervising_provider", "not_billable"]


@dataclass(frozen=True)
class PayerPolicy:
    telehealth_pos: TelehealthPos
    video_modifier: str
    audio_modifier: str
    audio_only_covered: bool
    audio_only_requires_home: bool
    credential_modifiers: Mapping[str, str]
    service_codes: Mapping[str, str]
    minutes_to_units: MinutesToUnits
    em_modifier_25_with_addon: bool
    credentials_not_billable: frozenset[str]
    warn_unspecified_diagnosis: bool
    scope_exclusions: Mapping[str, frozenset[str]]  # credential -> code categories it may not bill here
    codes_not_accepted: frozenset[str]
    supervised_billing: SupervisedBilling


POLICY_KEYS = frozenset(f.name for f in fields(PayerPolicy))


@dataclass(frozen=True)
class Layer:
    applies_to: str
    effective_from: date
    settings: Mapping[str, Any]
    effective_to: date = OPEN_END

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to


def check_settings(settings: Mapping[str, Any]) -> list[str]:
    """Names of unknown or badly typed settings (for the override API); empty when all are fine."""
    problems = [f"{key}: not a policy setting" for key in settings if key not in POLICY_KEYS]
    try:
        resolve([Layer("check", date.min, settings)], date.min, partial=True)
    except (TypeError, ValueError) as error:
        problems.append(str(error))
    return problems


def resolve(layers: Iterable[Layer], day: date, *, partial: bool = False) -> PayerPolicy:
    """Overlay the layers in force on `day`, in the order given (callers pass them general to specific)."""
    merged: dict[str, Any] = {}
    for layer in sorted((layer for layer in layers if layer.in_force(day)), key=_specificity):
        merged.update({key: value for key, value in layer.settings.items() if key in POLICY_KEYS})
    if partial:
        merged = {**_defaults_for_check(), **merged}
    return _build(merged)


_SCOPE_ORDER = {"default": 0, "kind": 1, "profile": 2, "payer": 3}


def _specificity(layer: Layer) -> tuple[int, date]:
    return _SCOPE_ORDER.get(layer.applies_to.partition(":")[0], 9), layer.effective_from


def _build(merged: Mapping[str, Any]) -> PayerPolicy:
    missing = POLICY_KEYS - merged.keys()
    if missing:
        raise ValueError(f"policy settings missing: {', '.join(sorted(missing))}")
    if merged["telehealth_pos"] not in ("02_10", "02", "in_person"):
        raise ValueError("telehealth_pos must be 02_10, 02 or in_person")
    if merged["minutes_to_units"] not in ("up_to_15", "full_15", "midpoint"):
        raise ValueError("minutes_to_units must be up_to_15, full_15 or midpoint")
    if merged["supervised_billing"] not in ("supervisor_renders", "supervising_provider", "not_billable"):
        raise ValueError("supervised_billing must be supervisor_renders, supervising_provider or not_billable")
    for key in ("credential_modifiers", "service_codes"):
        if not isinstance(merged[key], Mapping) or not all(isinstance(v, str) for v in merged[key].values()):
            raise TypeError(f"{key} must map names to codes")
    for key in (
        "audio_only_covered",
        "audio_only_requires_home",
        "em_modifier_25_with_addon",
        "warn_unspecified_diagnosis",
    ):
        if not isinstance(merged[key], bool):
            raise TypeError(f"{key} must be true or false")
    return PayerPolicy(
        telehealth_pos=merged["telehealth_pos"],
        video_modifier=str(merged["video_modifier"]),
        audio_modifier=str(merged["audio_modifier"]),
        audio_only_covered=merged["audio_only_covered"],
        audio_only_requires_home=merged["audio_only_requires_home"],
        credential_modifiers=dict(merged["credential_modifiers"]),
        service_codes=dict(merged["service_codes"]),
        minutes_to_units=merged["minutes_to_units"],
        em_modifier_25_with_addon=merged["em_modifier_25_with_addon"],
        credentials_not_billable=frozenset(merged["credentials_not_billable"]),
        warn_unspecified_diagnosis=merged["warn_unspecified_diagnosis"],
        scope_exclusions={str(k): frozenset(v) for k, v in dict(merged["scope_exclusions"]).items()},
        codes_not_accepted=frozenset(merged["codes_not_accepted"]),
        supervised_billing=merged["supervised_billing"],
    )


def _defaults_for_check() -> dict[str, Any]:
    return {
        key: value
        for layer in shipped_layers()
        if layer.applies_to == "default"
        for key, value in layer.settings.items()
    }


@lru_cache(maxsize=1)
def shipped_layers() -> tuple[Layer, ...]:
    data = tomllib.loads((DATA / "payer_policies.toml").read_text())
    return tuple(
        Layer(
            applies_to=entry["applies_to"],
            effective_from=entry["effective_from"],
            effective_to=entry.get("effective_to", OPEN_END),
            settings={k: v for k, v in entry.items() if k not in ("applies_to", "effective_from", "effective_to")},
        )
        for entry in data["layer"]
    )


def shipped_profiles() -> frozenset[str]:
    return frozenset(
        layer.applies_to.split(":", 1)[1] for layer in shipped_layers() if layer.applies_to.startswith("profile:")
    )


def layers_for(kind: str, profile: str | None, payer_overrides: Iterable[Layer] = ()) -> list[Layer]:
    """Every layer that may apply to a payer: the shipped default, kind and profile layers, then its own."""
    wanted = {"default", f"kind:{kind}"} | ({f"profile:{profile}"} if profile else set())
    return [layer for layer in shipped_layers() if layer.applies_to in wanted] + [
        Layer("payer", layer.effective_from, layer.settings, layer.effective_to) for layer in payer_overrides
    ]
