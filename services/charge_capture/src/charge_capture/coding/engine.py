"""The coding engine: an encounter in, claim-ready charge lines or every reason they cannot be billed out.

Pure: no IO, no clock. Every rule comes from the `Rules` in force on the date of service and the payer's
`PayerPolicy` on that date; this module only applies them, in the order a biller would:
codes -> who may bill -> add-ons, pair edits, unit limits -> diagnoses -> place of service and telehealth
-> modifiers -> price.
"""

from collections.abc import Sequence

from charge_capture.coding import supervision
from charge_capture.coding.checks import (
    check_add_ons,
    check_diagnoses,
    check_pair_edits,
    check_unit_limits,
    check_who_bills,
)
from charge_capture.coding.claim_lines import apply_modifiers, best_fee, place_of_service_and_telehealth, price
from charge_capture.coding.codes import (
    band_for,
    check_explicit_time,
    code_service,
    first_and_add_on_units,
    take_procedures,
    timed_units,
)
from charge_capture.coding.model import (
    TIMED_KINDS,
    Coding,
    Encounter,
    FeeEntry,
    Issue,
    Line,
    Procedure,
    Service,
    ServiceKind,
    Telehealth,
    Work,
)
from charge_capture.coding.policy import PayerPolicy
from charge_capture.coding.rulebook import Rules

__all__ = [
    "TIMED_KINDS",
    "Coding",
    "Encounter",
    "FeeEntry",
    "Issue",
    "Line",
    "Procedure",
    "Service",
    "ServiceKind",
    "Telehealth",
    "band_for",
    "best_fee",
    "code_encounter",
    "first_and_add_on_units",
    "timed_units",
]


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
    work = Work(rules, policy, encounter)
    if encounter.service is not None:
        code_service(work, encounter.service)
    else:
        take_procedures(work, encounter.procedures)
        check_explicit_time(work)
    arrangement: supervision.ArrangementKind = "own"
    if credential is not None:
        arrangement = check_who_bills(work, credential, supervisor_credential)
    check_add_ons(work)
    check_pair_edits(work)
    check_unit_limits(work)
    check_diagnoses(work)
    place_of_service = place_of_service_and_telehealth(work)
    apply_modifiers(work, credential)
    if fees is not None:
        price(work, fees)
    return Coding(place_of_service, tuple(work.lines), tuple(work.problems), tuple(work.warnings), arrangement)
