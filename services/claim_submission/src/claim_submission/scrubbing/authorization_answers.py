"""Prior authorization's events into claim submission's own model (the edge). Approvals are kept per patient and
payer, so a claim they cover carries the number (REF*G1) from the start, and a claim held for a missing or
required authorization that one covers is billed anew with it (the held claim is voided here, the new one
scrubbed again). A visit prior authorization says needs one (AuthorizationRequired), or that used more than its
authorization had left (AuthorizationExceeded), has its claims not sent yet held. A claim already sent is left to
the payer."""

from claimstream_platform.contracts.prior_authorization import (
    AuthorizationApproved,
    AuthorizationExceeded,
    AuthorizationRequired,
)
from claimstream_platform.dates import business_date
from claimstream_platform.db import UnitOfWork

from claim_submission import handlers
from claim_submission.domain.states import ClaimStatus
from claim_submission.intake import corrections, creation
from claim_submission.repository import authorizations as approvals
from claim_submission.repository import claims
from claim_submission.scrubbing.authorization_rule import (
    EXCEEDED,
    REQUIRED,
    Known,
    attached,
    exceeded_reason,
    required_reason,
)
from claim_submission.scrubbing.coverage_rule import PlanKey


async def on_authorization_approved(event: AuthorizationApproved, uow: UnitOfWork) -> None:
    if event.practice_id is None:
        return
    await approvals.record(
        uow,
        {
            "tenant_id": event.tenant_id,
            "authorization_id": event.authorization_id,
            "practice_id": event.practice_id,
            "patient_ref": event.patient_ref[:80],
            "payer_id": event.payer_id[:80],
            "number": event.authorization_number[:50],
            "codes": event.codes[:50],
            "start": event.start,
            "end": event.end,
            "provider_npi": event.provider_npi[:10],
        },
    )
    key: PlanKey = (event.tenant_id, event.practice_id, event.patient_ref, event.payer_id)
    known = [Known(event.authorization_number, frozenset(event.codes), event.start, event.end, event.provider_npi)]
    today = business_date()
    for claim in await approvals.held_without(uow, key):
        content = attached(claim.content, known)
        if content.prior_authorization_number is None:
            continue  # not covered by this one
        await corrections.void(
            uow, claim, reason=f"authorization {event.authorization_number} arrived"[:80], today=today
        )
        await creation.create_claims(uow, [creation.NewClaim.of(claim, content)], today=today)


async def on_authorization_required(event: AuthorizationRequired, uow: UnitOfWork) -> None:
    current = await claims.lock_of_encounter(uow, event.tenant_id, event.encounter_id, open_only=True)
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


async def on_authorization_exceeded(event: AuthorizationExceeded, uow: UnitOfWork) -> None:
    """The visit's charge went past what its authorization had left: its claim, not sent yet, waits for a person
    (who gets more from the payer, then releases it), instead of leaving with a number the payer would refuse."""
    current = await claims.lock_of_encounter(uow, event.tenant_id, event.encounter_id, open_only=True)
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
