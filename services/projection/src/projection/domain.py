"""The fold, pure: each fact type's rule for the claim read model, its ledger and its denial cases.

`fold(facts)` sorts an encounter's facts by event time (model.order) and applies each rule in turn, so the result
is the same for any arrival order. The money rules are in model.py's docstring and docs/projection.md.
"""

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from uuid import UUID

from projection.model import (
    CONTRACTUAL,
    NEXT,
    PRIOR_PAYER,
    ZERO,
    ClaimView,
    DenialCase,
    Encounter,
    Fact,
    Folded,
    money,
    order,
)

Rule = Callable[[Folded, Fact], None]


def fold(facts: Iterable[Fact]) -> Folded:
    """The encounter's claims, money and denial cases from its facts, whatever order they came in."""
    folded = Folded()
    for fact in sorted(facts, key=order):
        rule = RULES.get(fact.type)
        if rule is not None:
            rule(folded, fact)
        claim = _claim_of(folded, fact)
        if claim is not None:
            claim.facts += 1
            claim.last_event_at = fact.at
            if claim.closed_at is not None:  # a replaced or voided claim stays at zero whatever comes after
                folded.close(claim, fact.at, claim.status)
    return folded


def _claim_of(folded: Folded, fact: Fact) -> ClaimView | None:
    return folded.claims.get(fact.claim_id) if fact.claim_id else None


def _encounter(folded: Folded, fact: Fact) -> None:
    d, known = fact.data, folded.encounter
    if known is not None and d.get("version", 0) < known.version:
        return  # an older version of the encounter, arrived late
    encounter = Encounter(d["external_id"], _date(d["service_date"]), d.get("version", 0))
    encounter.provider_npi = d.get("provider_npi") or (known.provider_npi if known else None)
    encounter.patient_ref = d.get("patient_ref") or (known.patient_ref if known else None)
    folded.encounter = encounter


def _created(folded: Folded, fact: Fact) -> None:
    d = fact.data
    if fact.claim_id is None or fact.encounter_id is None or fact.claim_id in folded.claims:
        return
    replaces = UUID(d["replaces_claim_id"]) if d.get("replaces_claim_id") else None
    claim = ClaimView(
        claim_id=fact.claim_id, tenant_id=fact.tenant_id, practice_id=fact.practice_id,
        encounter_id=fact.encounter_id, payer_id=d["payer_id"], responsibility=d.get("responsibility", "primary"),
        frequency=d["frequency"], replaces_claim_id=replaces, patient_control_number=d["patient_control_number"],
        service_date=_date(d["service_date"]), procedure_code=(d.get("codes") or [None])[0], created_at=fact.at,
    )  # fmt: skip
    claim.charged = ZERO if claim.frequency == "8" else money(d["total_charge"])
    replaced = folded.claims.get(replaces) if replaces else None
    folded.claims[claim.claim_id] = claim
    _open_balance(folded, claim, replaced, fact)
    if replaced is not None and replaced.closed_at is None:
        replaced.status, replaced.closed_at = ("voided" if claim.frequency == "8" else "replaced"), fact.at
        folded.close(replaced, fact.at, replaced.status)


def _open_balance(folded: Folded, claim: ClaimView, replaced: ClaimView | None, fact: Fact) -> None:
    """What the new claim is owed: the primary's charge; a later payer's claim the share the one before left."""
    if claim.frequency == "8":
        return
    if claim.responsibility == "primary":
        folded.book(claim, fact.at, "insurance", "charge", claim.charged)
        return
    if replaced is not None:
        folded.book(claim, fact.at, "insurance", "transferred", replaced.outstanding)
        return
    prior = _prior_payers_claim(folded, claim.responsibility)
    if prior is not None and prior.patient_balance > 0:
        share = prior.patient_balance
        folded.book(prior, fact.at, "patient", "transferred", -share)
        folded.book(claim, fact.at, "insurance", "transferred", share)


def _prior_payers_claim(folded: Folded, responsibility: str) -> ClaimView | None:
    earlier = [c for c in folded.claims.values() if c.responsibility == NEXT[responsibility] and c.closed_at is None]
    return earlier[-1] if earlier else None


def _status(status: str, milestone: str | None = None) -> Rule:
    """A lifecycle step: the claim's status, and the first time it reached the milestone."""

    def rule(folded: Folded, fact: Fact) -> None:
        claim = _claim_of(folded, fact)
        if claim is None:
            return
        if claim.closed_at is None:
            claim.status = status
        if milestone and getattr(claim, milestone) is None:
            setattr(claim, milestone, fact.at)
        if status == "accepted":
            claim.payer_claim_number = fact.data.get("payer_claim_number") or claim.payer_claim_number

    return rule


def _posted(folded: Folded, fact: Fact) -> None:
    claim = _claim_of(folded, fact)
    if claim is None:
        return
    d = fact.data
    crossover = d["payer_id"] != claim.payer_id  # another payer paid on this claim: the patient's share
    party = "patient" if crossover else "insurance"
    paid = money(d["paid"])
    claim.paid += paid
    claim.allowed += money(d.get("allowed"))
    folded.book(claim, fact.at, party, "payment", -paid)
    denied = _adjust(folded, claim, fact, party, crossover)
    claim.denied += denied
    if claim.adjudicated_at is None and not crossover:
        claim.adjudicated_at = fact.at
        claim.first_denied = denied > 0  # a claim left to the patient (deductible) is no denial (domain.md §8)
        claim.first_denied_amount = denied
    if paid > 0 and claim.paid_at is None:
        claim.paid_at = fact.at
    if claim.closed_at is None:
        claim.status = d["outcome"]


def _adjust(folded: Folded, claim: ClaimView, fact: Fact, party: str, crossover: bool) -> Decimal:
    """Book the posting's adjustments; returns the denied amount, which stays owed until the denial is worked."""
    denied = ZERO
    for adjustment in fact.data["adjustments"]:
        pair, amount = (adjustment["group"], adjustment["reason"]), money(adjustment["amount"])
        if pair[0] == "PR":
            claim.patient_responsibility += amount
            if not crossover:
                folded.book(claim, fact.at, "insurance", "patient_responsibility", -amount)
                folded.book(claim, fact.at, "patient", "patient_responsibility", amount)
        elif pair in CONTRACTUAL:
            claim.contractual += amount
            folded.book(claim, fact.at, party, "contractual", -amount)
        elif pair != PRIOR_PAYER:
            denied += amount
    return denied


def _voided(folded: Folded, fact: Fact) -> None:
    claim = _claim_of(folded, fact)
    if claim is not None and claim.closed_at is None:
        claim.status, claim.closed_at = "voided", fact.at
        folded.close(claim, fact.at, "voided")


def _variance(folded: Folded, fact: Fact) -> None:
    claim = _claim_of(folded, fact)
    if claim is not None:
        claim.underpaid += money(fact.data.get("difference"))


def _triaged(folded: Folded, fact: Fact) -> None:
    d = fact.data
    if fact.claim_id is None:
        return
    case = DenialCase(
        case_id=UUID(d["case_id"]), claim_id=fact.claim_id, payer_id=d["payer_id"], kind=d["kind"],
        category=d["category"], codes=list(d["codes"]), recoverable=money(d["recoverable"]), opened_at=fact.at,
        automatic=d["automatic"],
    )  # fmt: skip
    folded.cases.setdefault(case.case_id, case)
    claim = folded.claims.get(fact.claim_id)
    if claim is not None:
        claim.denial_category = case.category


def _resolved(folded: Folded, fact: Fact) -> None:
    d = fact.data
    case = folded.cases.get(UUID(d["case_id"]))
    claim = _claim_of(folded, fact)
    if case is not None:
        case.resolution, case.resolved_at = d["resolution"], fact.at
        case.recovered, case.written_off = money(d["recovered"]), money(d["written_off"])
    if claim is None or claim.closed_at is not None:
        return
    open_amount = min(case.recoverable if case else claim.insurance_balance, claim.insurance_balance)
    resolution, written_off = d["resolution"], money(d["written_off"])
    if resolution == "billed_to_patient":
        folded.book(claim, fact.at, "insurance", "billed_to_patient", -open_amount)
        folded.book(claim, fact.at, "patient", "billed_to_patient", open_amount)
    elif resolution in ("written_off", "contractual", "closed_informational"):
        amount = min(written_off, claim.insurance_balance) if written_off > 0 else open_amount
        claim.written_off += amount
        folded.book(claim, fact.at, "insurance", "write_off", -amount)


def _date(value: str) -> date:
    return date.fromisoformat(value)


RULES: dict[str, Rule] = {
    "encounter.received": _encounter,
    "charge.captured": _encounter,
    "claim.created": _created,
    "claim.held": _status("held", "held_at"),
    "claim.submitted": _status("submitted", "submitted_at"),
    "claim.acknowledged": _status("acknowledged"),
    "claim.rejected": _status("rejected", "rejected_at"),
    "claim.accepted": _status("accepted", "accepted_at"),
    "payment.posted": _posted,
    "claim.reversed": _status("reversed"),
    "claim.voided": _voided,
    "payment.variance-detected": _variance,
    "denial.triaged": _triaged,
    "denial.resolved": _resolved,
}
