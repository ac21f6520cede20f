"""The fold, pure: each fact type's rule for the claim read model, its ledger and its denial cases.

`fold(facts)` sorts an encounter's facts by event time (model.order) and applies each rule in turn, so the result
is the same for any arrival order. The money rules are in chain.py (a claim's charge, replacements, voids, later
payers), postings.py (what a remittance does) and below (denial cases); docs/money.md says them in one table.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from projection.chain import open_claim, withdraw
from projection.model import INSURANCE, ZERO, ClaimView, DenialCase, Encounter, Fact, Folded, Line, money, order
from projection.postings import payer_refunded, posted, provider_adjustment

Rule = Callable[[Folded, Fact], None]
WRITTEN_OFF = frozenset({"written_off", "contractual", "closed_informational"})  # resolutions that write money off


def fold(facts: Iterable[Fact]) -> Folded:
    """The encounter's claims, money and denial cases from its facts, whatever order they came in.

    A fact about a claim stamped before the claim's creation is applied as the claim is created, at that time: an
    event's time is its producer's transaction's start, so an answer whose transaction began first and then waited
    for the claim's lock (a void on inactive coverage) comes out earlier than the creation it follows, and another
    service's clock may run behind. Dropped, the void left the claim's charge counted."""
    folded, ordered = Folded(), sorted(facts, key=order)
    created = {f.claim_id for f in ordered if f.type == "claim.created" and f.claim_id is not None}
    early: dict[UUID | None, list[Fact]] = {}
    for fact in ordered:
        if fact.claim_id in created and fact.claim_id not in folded.claims and fact.type != "claim.created":
            early.setdefault(fact.claim_id, []).append(fact)
            continue
        _apply(folded, fact)
        if fact.type == "claim.created" and fact.claim_id in folded.claims:
            for waiting in early.pop(fact.claim_id, []):
                _apply(folded, replace(waiting, at=fact.at))
    return folded


def _apply(folded: Folded, fact: Fact) -> None:
    rule = RULES.get(fact.type)
    if rule is not None:
        rule(folded, fact)
    claim = _claim_of(folded, fact)
    if claim is not None:
        claim.facts += 1
        claim.last_event_at = fact.at


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
        claim_id=fact.claim_id,
        tenant_id=fact.tenant_id,
        practice_id=fact.practice_id,
        encounter_id=fact.encounter_id,
        payer_id=d["payer_id"],
        responsibility=d.get("responsibility", "primary"),
        frequency=d["frequency"],
        replaces_claim_id=replaces,
        patient_control_number=d["patient_control_number"],
        service_date=_date(d["service_date"]),
        procedure_code=(d.get("codes") or [None])[0],
        created_at=fact.at,
        lines=_lines(d),
    )
    claim.charged = ZERO if claim.frequency == "8" else money(d["total_charge"])
    folded.claims[claim.claim_id] = claim
    open_claim(folded, claim, folded.claims.get(replaces) if replaces else None, fact.at)


def _lines(d: Mapping[str, Any]) -> dict[Line, Decimal]:
    """Each line's charge; a void charges nothing; a claim announced before lines were kept is one line."""
    void = d["frequency"] == "8"
    if not d.get("lines"):
        return {None: ZERO if void else money(d["total_charge"])}
    return {int(line["line_number"]): ZERO if void else money(line["amount"]) for line in d["lines"]}


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


def _voided(folded: Folded, fact: Fact) -> None:
    """Voided before the payer had it (a void sent to the payer closed it already, by its frequency 8 claim)."""
    claim = _claim_of(folded, fact)
    if claim is not None and claim.closed_at is None:
        claim.status, claim.closed_at = "voided", fact.at
        withdraw(folded, claim, fact.at)


def _variance(folded: Folded, fact: Fact) -> None:
    claim = _claim_of(folded, fact)
    if claim is not None:
        claim.underpaid += money(fact.data.get("difference"))


def _triaged(folded: Folded, fact: Fact) -> None:
    d = fact.data
    if fact.claim_id is None:
        return
    case = DenialCase(
        case_id=UUID(d["case_id"]),
        claim_id=fact.claim_id,
        payer_id=d["payer_id"],
        kind=d["kind"],
        category=d["category"],
        codes=list(d["codes"]),
        recoverable=money(d["recoverable"]),
        opened_at=fact.at,
        automatic=d["automatic"],
        line_number=d.get("line_number") if d.get("level") == "line" else None,
    )
    folded.cases.setdefault(case.case_id, case)
    claim = folded.claims.get(fact.claim_id)
    if claim is not None:
        claim.denial_category = case.category


def _resolved(folded: Folded, fact: Fact) -> None:
    """A case's end. Written off (or closed as nothing to recover), the amount it concerns leaves the payer's
    balance: no more than what is still open on its line (a claim-level case: on the claim's lines). Paid,
    overturned or handed on, it books nothing: the payments carry the money."""
    d = fact.data
    case = folded.cases.get(UUID(d["case_id"]))
    claim = _claim_of(folded, fact)
    if case is not None:
        case.resolution, case.resolved_at = d["resolution"], fact.at
        case.recovered, case.written_off = money(d["recovered"]), money(d["written_off"])
    if claim is None or d["resolution"] not in WRITTEN_OFF:
        return
    asked = money(d["written_off"]) if money(d["written_off"]) > 0 else (case.recoverable if case else ZERO)
    lines: list[Line] | None = [case.line_number] if case is not None and case.line_number is not None else None
    _write_off(folded, claim, fact.at, asked, lines)


def _write_off(folded: Folded, claim: ClaimView, at: datetime, asked: Decimal, lines: list[Line] | None) -> None:
    live = folded.live(claim)
    open_lines = folded.line_balances(live, INSURANCE)
    if lines is not None:
        chosen = [line if line in live.lines else None for line in lines]
    else:
        chosen = sorted(open_lines, key=lambda n: -1 if n is None else n)
    left = asked
    for line in chosen:
        amount = min(left, max(open_lines.get(line, ZERO), ZERO))
        folded.put(live, at, INSURANCE, "write_off", -amount, line)
        claim.written_off += amount
        left -= amount


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
    "payment.posted": posted,
    "provider-adjustment.posted": provider_adjustment,
    "payer-refund.sent": payer_refunded,
    "claim.voided": _voided,
    "payment.variance-detected": _variance,
    "denial.triaged": _triaged,
    "denial.resolved": _resolved,
}
