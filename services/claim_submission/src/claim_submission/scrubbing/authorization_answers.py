"""Prior authorization's events into claim submission's own model (the edge). Approvals are kept per patient and
payer, so a claim they cover carries the number (REF*G1) from the start, and a claim held for a missing or
required authorization that one covers is billed anew with it (the held claim is voided here, the new one
scrubbed again). A visit prior authorization says needs one (AuthorizationRequired), or that used more than its
authorization had left (AuthorizationExceeded), has its claims not sent yet held. A claim already sent is left to
the payer."""

from claimstream_platform.approvals import approval_of
from claimstream_platform.contracts.prior_authorization import (
    AuthorizationApproved,
    AuthorizationExceeded,
    AuthorizationRequired,
)

from claim_submission import handlers
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


async def on_authorization_approved(event: AuthorizationApproved, uow: ClaimWork) -> None:
    await uow.approvals.record(event)
    if event.practice_id is None:
        return  # nobody's: not kept
    key: PlanKey = (event.tenant_id, event.practice_id, event.patient_ref, event.payer_id)
    approval = approval_of(event)
    for claim in await uow.claims.held_without(key):
        content = attached(claim.content, [approval])
        if content.prior_authorization_number is None:
            continue  # not covered by this one
        await corrections.void(uow, claim, reason=f"authorization {event.authorization_number} arrived"[:80])
        await creation.create_claims(uow, [creation.NewClaim.of(claim, content)])


async def on_authorization_required(event: AuthorizationRequired, uow: ClaimWork) -> None:
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
    for claim in waiting:
        claim.hold([*claim.reasons, required_reason(event.codes, event.visits_this_year)])
    await handlers.store(uow, waiting)


async def on_authorization_exceeded(event: AuthorizationExceeded, uow: ClaimWork) -> None:
    """The visit's charge went past what its authorization had left: its claim, not sent yet, waits for a person
    (who gets more from the payer, then releases it), instead of leaving with a number the payer would refuse."""
    current = await uow.claims.lock_of_encounter(event.tenant_id, event.encounter_id, open_only=True)
    waiting = [
        c
        for c in current
        if c.status in (ClaimStatus.READY, ClaimStatus.HELD)
        and c.payer_id == event.payer_id
        and c.encounter_version == event.version
        and EXCEEDED not in [r.rule for r in c.reasons]
    ]
    reason = exceeded_reason(event.authorization_number, event.codes, event.over, event.unit)
    for claim in waiting:
        claim.hold([*claim.reasons, reason])
    await handlers.store(uow, waiting)
