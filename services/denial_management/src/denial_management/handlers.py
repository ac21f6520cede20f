"""Denials and rejections into cases, in the caller's transaction: each event mapped at the edge (`Opening`),
triaged, opened once, and fixed by machine where the fix is determined (`automatic.decide`), by our payer facts
with the case's practice's own overrides (`practice_facts`); the payments that follow resolve the cases they
answer (payments.py). Each handler reads, makes the aggregate's moves, stores them and publishes the events they
recorded."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from claimstream_platform.adjustments import classify
from claimstream_platform.contracts import claim_submission as claim_events
from claimstream_platform.contracts import remittance_posting as remittance_events
from claimstream_platform.contracts.prior_authorization import AuthorizationApproved
from claimstream_platform.dates import business_date
from claimstream_platform.payers import Layer, payer_facts
from claimstream_platform.pdf import render_pdf

from denial_management import letter
from denial_management.automatic import Appeal, Close, Correct, Decision, decide
from denial_management.deadlines import case_deadline, priority
from denial_management.domain import Case, CaseStatus, Opening
from denial_management.practice_facts import overrides_for
from denial_management.prevention import WINDOW_DAYS, Pattern, learnable, suggestion
from denial_management.repository import DenialWork
from denial_management.triage import (
    STATUS_DENIAL,
    Adjusted,
    Triage,
    denied_amount,
    triage_denial,
    triage_rejection,
)

ClaimEvent = (
    claim_events.ClaimAccepted
    | claim_events.ClaimRejected
    | claim_events.ClaimStatusReported
    | remittance_events.ClaimDenied
)  # what is said of a claim that may come before it


async def publish_saved(uow: DenialWork, found: Sequence[Case]) -> None:
    await uow.cases.save(found)
    uow.publish_recorded(*found)


async def known_or_kept(uow: DenialWork, event: ClaimEvent) -> Any:
    """The claim the event is about (its row), under the claim's lock; None when it has not arrived: the event is
    kept for it and applied when it does (`claim_arrival`), so the outcome is the one in-order delivery gives."""
    await uow.claims.hold([event.claim_id])
    claim = await uow.claims.row_of(event.tenant_id, event.claim_id)
    if claim is None:
        await uow.early_events.keep(event, event.claim_id)
    return claim


async def on_claim_denied(event: remittance_events.ClaimDenied, uow: DenialWork) -> None:
    """A real denial opens a case; one the payer repeats after our appeal reopens that case instead (the appeal
    was lost), and one of a corrected claim settles the case that asked for the correction."""
    on = event.paid_on or business_date()
    adjusted = [Adjusted(a.group, a.reason, a.amount, _class_of(a, on)) for a in event.adjustments]
    amount = denied_amount(adjusted)
    if amount <= 0:
        return  # announced before denials were classified: a deductible or a contractual amount, no denial
    claim = await known_or_kept(uow, event)
    if claim is None:
        return
    working = await uow.cases.lock_for_claims([event.claim_id], [CaseStatus.APPEALED, CaseStatus.OPEN])
    if await _appeal_lost(uow, event, [case for case in working if case.status == CaseStatus.APPEALED]):
        return
    opening = Opening(
        tenant_id=event.tenant_id,
        practice_id=event.practice_id,
        claim_id=event.claim_id,
        payer_id=event.payer_id,
        kind="denial",
        level=event.level,
        line_number=event.line_number,
        procedure_code=event.code,
        amount=amount,
        denied_on=on,
        service_date=claim.service_date,
        source_key=f"denied:{event.remittance_id}:{event.claim_id}:{event.level}:{event.line_number or 0}",
        payer_kind=claim.payer_kind,
    )
    case = await open_case(uow, opening, triage_denial(adjusted, event.remarks), claim)
    if case is not None:
        await _correction_failed(uow, claim, case, "denied")
        await _told_before(uow, [case for case in working if case.status == CaseStatus.OPEN], case)


def _class_of(adjustment: remittance_events.PostedAdjustment, on: date) -> str:
    return adjustment.adjustment_class or classify(adjustment.group, adjustment.reason, on)


async def _appeal_lost(uow: DenialWork, event: remittance_events.ClaimDenied, appealed: list[Case]) -> bool:
    """The payer denied again, in a later remittance, what we appealed (`appealed`: the claim's appealed cases,
    locked): the case goes back to the work queue."""
    earlier = f"denied:{event.remittance_id}:"
    lost = [
        case
        for case in appealed
        if (case.opening.level, case.opening.line_number) == (event.level, event.line_number)
        and not case.opening.source_key.startswith(earlier)
    ]
    codes = ", ".join(f"{a.group}-{a.reason}" for a in event.adjustments)
    for case in lost:
        case.reopen(f"the payer denied it again after the appeal ({codes})")
    await publish_saved(uow, lost)
    return bool(lost)


async def _correction_failed(uow: DenialWork, claim: Any, case: Case, how: str) -> None:
    """The corrected claim was denied or rejected again: the case that asked for the correction is settled as
    `denied_again`, and the new case carries the work on."""
    if claim is None or claim.replaces_claim_id is None:
        return
    asked = await uow.cases.lock_for_claims([claim.replaces_claim_id], [CaseStatus.CORRECTING])
    for earlier in asked:
        earlier.note(f"the corrected claim was {how} again: case {case.id}", "system")
        earlier.resolve("denied_again", "system")
    await publish_saved(uow, asked)


async def _told_before(uow: DenialWork, told: list[Case], case: Case) -> None:
    """The remittance's own denial came: the case a claim status answer opened for it (among `told`, the claim's
    open cases, locked) is settled, this one (with the payer's reasons) carries the work on, so its money is worked
    once."""
    settled = [c for c in told if c.triage.category == STATUS_DENIAL and c.id != case.id]
    for earlier in settled:
        earlier.note(f"the remittance's denial came: case {case.id}", "system")
        earlier.resolve("closed_informational", "system")
    await publish_saved(uow, settled)


async def on_claim_rejected(event: claim_events.ClaimRejected, uow: DenialWork) -> None:
    """A 999 or 277CA rejection: never adjudicated, so its only deadline is timely filing."""
    claim = await known_or_kept(uow, event)
    if claim is None:
        return
    rules = [reason.rule for reason in event.reasons]
    opening = Opening(
        tenant_id=event.tenant_id,
        practice_id=claim.practice_id,
        claim_id=event.claim_id,
        payer_id=claim.payer_id,
        kind="rejection",
        level="claim",
        line_number=None,
        procedure_code=None,
        amount=claim.total_charge,
        denied_on=business_date(),
        service_date=claim.service_date,
        source_key=f"rejected:{event.claim_id}:{event.source}:{'|'.join(sorted(rules))}",
        payer_kind=claim.payer_kind,
    )
    case = await open_case(uow, opening, triage_rejection(rules), claim)
    if case is not None:
        await _correction_failed(uow, claim, case, "rejected")


async def open_case(uow: DenialWork, opening: Opening, triage: Triage, row: Any) -> Case | None:
    """Open, triage and (where determined) fix; None when this denial event opened a case before. `row`: the
    claim's, as `known_or_kept` read it."""
    overrides = await overrides_for(uow, opening)
    deadline = case_deadline(
        opening.payer_id,
        appeal=triage.appeal,
        denied_on=opening.denied_on,
        service_date=opening.service_date,
        prior_payer_paid_on=row.prior_payer_paid_on,
        overrides=overrides,
        kind=opening.payer_kind,
    )
    # only a denial whose cause has a mechanical fix needs what the automatic fixes read of the claim
    known = await uow.claims.known(row) if opening.kind == "denial" and triage.fix else None
    decision = decide(opening, triage, known, overrides)
    priority_now = priority(opening.amount, deadline.day, business_date())
    case = Case.open(opening, triage, deadline=deadline, priority=priority_now, automatic=decision is not None)
    _fix(case, decision, overrides)  # before the case is stored, so that it is stored once, fixed
    if not await uow.cases.insert_new(case):
        return None
    if isinstance(decision, Appeal):  # its packet is stored with the case's id: after the case
        reason = f"The claim was filed in time: {decision.proof}."
        await file_appeal(uow, case, reason=reason, facts=[decision.proof], actor="system")
    await publish_saved(uow, [case])
    await _learn(uow, case)
    return case


async def _learn(uow: DenialWork, case: Case) -> None:
    """The denial's pattern (payer × code × CARC) counted again: a scrub rule suggested once it recurs."""
    o, t = case.opening, case.triage
    if o.kind != "denial" or not learnable(t.category, o.procedure_code):
        return
    pattern = Pattern(o.payer_id, o.procedure_code or "", t.codes[0], t.category, t.action)
    claims_hit, amount = await uow.rules.evidence(o.tenant_id, pattern, o.denied_on - timedelta(days=WINDOW_DAYS))
    found = suggestion(pattern, claims_hit, amount)
    if found is not None:
        await uow.rules.suggest(o.tenant_id, found)


def _fix(case: Case, decision: Decision | None, overrides: Sequence[Layer]) -> None:
    """A machine's close or correction, made on the new case (an appeal is filed once the case is stored)."""
    if isinstance(decision, Close):
        case.resolve(decision.resolution, "system", written_off=decision.written_off)
    elif isinstance(decision, Correct):
        case.request_correction(
            "system",
            resubmit_as=resubmit_as(case.opening, overrides),
            reason=decision.reason,
            changes=decision.changes,
            prior_authorization_number=decision.prior_authorization_number,
        )


def resubmit_as(opening: Opening, overrides: Sequence[Layer] = ()) -> Literal["replacement", "new_original"]:
    """A replacement (frequency 7), unless the payer refuses one for a claim it denied whole and wants a new one
    (our facts, by the claim's payer kind, with the case's practice's `overrides` over them)."""
    whole = opening.kind == "denial" and opening.level == "claim"
    facts = payer_facts(opening.payer_id, opening.payer_kind, on=opening.service_date, overrides=overrides)
    refuses_replacement = facts.new_original_after_denial
    return "new_original" if whole and refuses_replacement else "replacement"


async def file_appeal(uow: DenialWork, case: Case, *, reason: str, facts: list[str], actor: str) -> None:
    """The appeal packet (structured) and its letter (PDF), stored with the case, which becomes `appealed`."""
    o = case.opening
    row = await uow.claims.row_of(o.tenant_id, o.claim_id)
    about = {
        "payer_id": o.payer_id,
        "denied_on": o.denied_on.isoformat(),
        "codes": list(case.triage.codes),
        "amount": str(o.amount),
        "category": case.triage.category,
    }
    claim = {
        "patient_control_number": row.patient_control_number if row else str(o.claim_id),
        "payer_claim_number": row.payer_claim_number if row else None,
        "service_date": o.service_date.isoformat(),
        "lines": row.lines if row else [],
    }
    packet = letter.packet(about, claim, reason, facts, business_date())
    appeal_id = await uow.cases.add_appeal(case, packet, render_pdf(letter.letter_lines(packet)))
    case.appealed(actor, appeal_id)


async def on_authorization_approved(event: AuthorizationApproved, uow: DenialWork) -> None:
    """Kept for the authorization denials of the claims it covers (the platform's read model, as claim submission
    keeps it)."""
    await uow.approvals.record(event)
