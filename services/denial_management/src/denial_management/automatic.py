"""The fixes a machine may take, decided from the triage and what we know of the claim. Pure.

Each decision is recorded on the case with what was changed. A fix is taken only when it is determined: the
telehealth modifier only on a telehealth claim that lacks the payer's modifier; the telehealth place only on a
telehealth claim (POS 02/10, or a telehealth modifier at the office POS) whose place differs from the payer's;
a duplicate closed only when the original was paid; a timely-filing appeal only with the clearinghouse's
acceptance in time as proof; an authorization denial (CO-197, CO-15) only when an approved authorization
covers the claim and its number is not the one billed. A claim that is itself our automatic correction for the
same cause is never corrected again by machine: the second denial goes to a person. The payer's facts are ours,
by the claim's payer kind (`Opening.payer_kind`), with the case's practice's own overrides of them (`overrides`,
docs/domain/payers.md), read by the handler.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from claimstream_platform.contracts.denial_management import CorrectionChanges, Resolution
from claimstream_platform.payers import Layer, payer_facts

from denial_management.deadlines import corrected_claim_deadline
from denial_management.domain import Opening
from denial_management.triage import Triage

TELEHEALTH_PLACES = frozenset({"02", "10"})
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT", "FQ"})


@dataclass(frozen=True)
class KnownClaim:
    """The claim as denial management keeps it (from claim submission's and remittance posting's events)."""

    claim_id: UUID
    place_of_service: str | None
    lines: dict[int, list[str]]  # line number -> modifiers
    accepted_on: date | None  # the payer accepted it (277CA): proof of timely filing
    original_paid: bool  # another claim of the same encounter was paid (for a duplicate)
    corrected_by_us_for: frozenset[str] = field(default_factory=frozenset)  # categories we fixed before
    authorization_number: str | None = None  # REF*G1 as billed
    covering_authorization: str | None = None  # the number of an approved authorization that covers the claim


@dataclass(frozen=True)
class Close:
    resolution: Resolution
    written_off: Decimal = Decimal(0)


@dataclass(frozen=True)
class Correct:
    changes: CorrectionChanges
    reason: str
    prior_authorization_number: str | None = None


@dataclass(frozen=True)
class Appeal:
    proof: str


Decision = Close | Correct | Appeal


def decide(
    opening: Opening, triage: Triage, claim: KnownClaim | None, overrides: Sequence[Layer] = ()
) -> Decision | None:
    """The fix a machine takes for a real denial, when it is determined; None leaves the case to a person. (What
    is not a denial, a deductible or a contractual write-off, never opens a case to close.)"""
    fix = triage.fix
    if claim is None:
        return None
    if fix == "duplicate":
        return Close("closed_informational") if claim.original_paid else None
    if triage.category in claim.corrected_by_us_for:
        return None  # denied again after our own fix: a person looks
    if fix == "timely_filing":
        return _timely_filing(opening, claim, overrides)
    return _correction(fix, opening, claim, overrides)


def _correction(fix: str | None, opening: Opening, claim: KnownClaim, overrides: Sequence[Layer]) -> Correct | None:
    payer = payer_facts(opening.payer_id, opening.payer_kind, on=opening.service_date, overrides=overrides)
    coded = any(TELEHEALTH_MODIFIERS & set(modifiers) for modifiers in claim.lines.values())
    telehealth = claim.place_of_service in TELEHEALTH_PLACES or coded
    if fix == "telehealth_place" and telehealth and claim.place_of_service != payer.telehealth_place:
        changes = CorrectionChanges(place_of_service=payer.telehealth_place)
        return Correct(changes, f"telehealth place of service {payer.telehealth_place} for this payer")
    if fix == "telehealth_modifier" and telehealth:
        numbers = [opening.line_number] if opening.line_number else list(claim.lines)
        lacking = [n for n in numbers if n in claim.lines and payer.telehealth_modifier not in claim.lines[n]]
        if lacking:
            add = {n: [payer.telehealth_modifier] for n in lacking}
            remove = {n: sorted(TELEHEALTH_MODIFIERS & set(claim.lines[n])) for n in lacking}
            changes = CorrectionChanges(add_modifiers=add, remove_modifiers={n: m for n, m in remove.items() if m})
            return Correct(changes, f"telehealth modifier {payer.telehealth_modifier} for this payer")
    if fix == "authorization":
        number = claim.covering_authorization
        if number is None or number == claim.authorization_number:
            return None  # none known, or the payer refused the very number: a person looks
        return Correct(CorrectionChanges(), f"authorization {number} on file", prior_authorization_number=number)
    if fix == "diagnosis_order":
        return Correct(CorrectionChanges(mental_health_diagnosis_first=True), "a mental-health diagnosis first")
    return None


def _timely_filing(opening: Opening, claim: KnownClaim, overrides: Sequence[Layer]) -> Appeal | None:
    accepted = claim.accepted_on
    deadline = corrected_claim_deadline(
        opening.payer_id, opening.service_date, overrides=overrides, kind=opening.payer_kind
    )
    if accepted is None or accepted > deadline:
        return None
    return Appeal(f"the payer accepted the claim into adjudication on {accepted.isoformat()} (277CA), in time")
