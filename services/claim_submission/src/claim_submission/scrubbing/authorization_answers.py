"""Prior authorization's events into claim submission's own model (the edge). Approvals are kept per patient and
payer, so a claim they cover carries the number (REF*G1) from the start, and a claim held for a missing or
required authorization that one covers is billed anew with it (the held claim is voided here, the new one
scrubbed again). A visit prior authorization says needs one (AuthorizationRequired), or that used more than its
authorization had left (AuthorizationExceeded), has its claims not sent yet held. A claim already sent is left to
the payer.

An approval and the claims it covers come on different partitions, and so do an approval and the requirement it
answers: each handler here and the claim's creation take the plan's lock (`uow.claims.hold_plans`), so whichever
comes second sees the first. A requirement that finds an approval on file covering the claim bills it anew with the
number instead of holding it (prior authorization may have announced both, the approval's event arriving first).
An exceeded authorization's answer that comes before the visit's claim is kept for the visit, under the same lock,
and holds the claim when it is created."""

from claimstream_platform.approvals import Approval, approval_of
from claimstream_platform.contracts.prior_authorization import (
    AuthorizationApproved,
    AuthorizationExceeded,
    AuthorizationRequired,
)

from claim_submission import handlers
from claim_submission.domain.claim import Claim
from claim_submission.domain.states import ClaimStatus
from claim_submission.intake import corrections, creation
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.authorization_rule import (
    EXCEEDED,
    REQUIRED,
    attached,
    exceeded_reason,
    required_reason,
)
from claim_submission.scrubbing.coverage_rule import PlanKey


def plan_of(event: AuthorizationApproved | AuthorizationRequired | AuthorizationExceeded) -> PlanKey | None:
    """The patient's plan the event answers about; None for an event of no practice (nobody's: not kept)."""
    if event.practice_id is None:
        return None
    return event.tenant_id, event.practice_id, event.patient_ref, event.payer_id


async def on_authorization_approved(event: AuthorizationApproved, uow: ClaimWork) -> None:
    key = plan_of(event)
    if key is None:
        return
    await uow.claims.hold_plans([key])
    await uow.approvals.record(event)
    await _bill_covered_anew(uow, await uow.claims.held_without(key), [approval_of(event)])


async def _bill_covered_anew(uow: ClaimWork, claims: list[Claim], approvals: list[Approval]) -> list[Claim]:
    """Each claim one of `approvals` covers is voided and billed anew with its number; the claims none covers."""
    uncovered = []
    for claim in claims:
        content = attached(claim.content, approvals)
        number = content.prior_authorization_number
        if number is None:
            uncovered.append(claim)
            continue
        await corrections.void(uow, claim, reason=f"authorization {number} arrived"[:80])
        await creation.create_claims(uow, [creation.NewClaim.of(claim, content)])
    return uncovered


async def on_authorization_required(event: AuthorizationRequired, uow: ClaimWork) -> None:
    key = plan_of(event)
    await uow.claims.hold_plans([key] if key else [])
    current = await uow.claims.lock_of_encounter(event.tenant_id, event.encounter_id, open_only=True)
    waiting = [
        c
        for c in current
        if c.status in (ClaimStatus.READY, ClaimStatus.HELD)
        and c.payer_id == event.payer_id
        and c.encounter_version == event.version
        and not c.content.prior_authorization_number
        and REQUIRED not in [r.rule for r in c.reasons]
    ]
    on_file = (await uow.approvals.of_patients([key])).get(key, []) if key else []
    uncovered = await _bill_covered_anew(uow, waiting, on_file)
    for claim in uncovered:
        claim.hold([*claim.reasons, required_reason(event.codes, event.visits_this_year)])
    await handlers.store(uow, uncovered)


async def on_authorization_exceeded(event: AuthorizationExceeded, uow: ClaimWork) -> None:
    """The visit's charge went past what its authorization had left: its claim, not sent yet, waits for a person
    (who gets more from the payer, then releases it), instead of leaving with a number the payer would refuse. The
    answer is keyed by the authorization and the charge by the encounter, so it may come before the visit's claim
    exists: it is kept for the visit then (`uow.early_answers`), and the claim's creation takes it."""
    key = plan_of(event)
    await uow.claims.hold_plans([key] if key else [])
    current = await uow.claims.lock_of_encounter(event.tenant_id, event.encounter_id)
    of_visit = [c for c in current if c.payer_id == event.payer_id and c.encounter_version == event.version]
    reason = exceeded_reason(event.authorization_number, event.codes, event.over, event.unit)
    if not of_visit:
        await uow.early_answers.keep((event.tenant_id, event.encounter_id, event.version, event.payer_id), reason)
        return
    waiting = [
        c
        for c in of_visit
        if c.status in (ClaimStatus.READY, ClaimStatus.HELD) and EXCEEDED not in [r.rule for r in c.reasons]
    ]
    for claim in waiting:
        claim.hold([*claim.reasons, reason])
    await handlers.store(uow, waiting)
