"""Eligibility's answers into claim submission's own model (the edge): the payer said a coverage was not active on
a date of service, so a claim for it is held before it is sent, and the claims of that visit not sent yet are
held now; an answer that the coverage is active lets later claims go. A plan whose mental-health benefits
another company administers (a carve-out) has its claims billed to that company: those not sent yet are voided
here and billed anew to it, later ones go to it from the start. A carve-out the answer names by no payer id we
can bill (an NPI, a company name) is a person's to route: the plan's claims not sent yet are held for it. A claim
the payer already has is left to its adjudication (a denial that denial management works).

An answer and a claim of its plan come on different partitions (eligibility's topic, charge capture's), so two
transactions may take them at once: each handler here takes the plan's lock (`uow.claims.hold_plans`), as a claim's
creation does, so whichever comes second sees the first (docs/claim-submission.md)."""

from collections.abc import Sequence
from datetime import UTC, datetime

from claimstream_platform.contracts.eligibility import CoverageCarvedOut, CoverageInactive, EligibilityVerified
from claimstream_platform.messaging.consumer import Delivery, caused_by

from claim_submission import handlers
from claim_submission.intake import corrections, creation
from claim_submission.repository import ClaimWork
from claim_submission.scrubbing.coverage_rule import (
    UNROUTED,
    CoverageKey,
    PlanKey,
    inactive_reason,
    routed,
    unrouted_reason,
)


def key_of(event: CoverageInactive | EligibilityVerified) -> CoverageKey | None:
    if event.practice_id is None:
        return None
    return event.tenant_id, event.practice_id, event.patient_ref, event.payer_id, event.service_date


async def on_coverage_inactive(event: CoverageInactive, uow: ClaimWork) -> None:
    key = key_of(event)
    if key is None:
        return
    await uow.claims.hold_plans([key[:4]])
    await uow.coverage.record([key], active=False, at=datetime.now(UTC))
    waiting = await uow.claims.ready_on(key)
    for claim in waiting:
        claim.hold([inactive_reason()])
    await handlers.store(uow, waiting)


async def on_eligibilities_verified(deliveries: Sequence[Delivery], uow: ClaimWork) -> None:
    await verified(uow, [(d.event, d) for d in deliveries if isinstance(d.event, EligibilityVerified)])


async def on_eligibility_verified(event: EligibilityVerified, uow: ClaimWork) -> None:
    await verified(uow, [(event, None)])


async def verified(uow: ClaimWork, run: Sequence[tuple[EligibilityVerified, Delivery | None]]) -> None:
    """A run of one tenant's answers that coverage is active: recorded in one statement, the plans that answer for
    mental health themselves (again) no longer carve-outs in one more, and a carve-out to a company we cannot bill
    by id holds its plan's claims not sent yet, as caused by its own answer."""
    answered = [(key, event, delivery) for event, delivery in run if (key := key_of(event)) is not None]
    at = datetime.now(UTC)
    await uow.claims.hold_plans({key[:4] for key, *_ in answered})
    await uow.coverage.record([key for key, *_ in answered], active=True, at=at)
    await uow.carve_outs.forget([key[:4] for key, event, _ in answered if event.bill_payer_id == event.payer_id], at=at)
    for key, event, delivery in answered:
        if event.carve_out_to_route:
            with caused_by(delivery):
                await _hold_for_routing(uow, key[:4], event.carve_out_to_route)


async def _hold_for_routing(uow: ClaimWork, plan: PlanKey, administrator: str) -> None:
    """Claims to a plan that carves mental health out to a company we cannot bill by id wait for a person."""
    waiting = [c for c in await uow.claims.unsent(plan) if UNROUTED not in [r.rule for r in c.reasons]]
    for claim in waiting:
        claim.hold([*claim.reasons, unrouted_reason(administrator)])
    await handlers.store(uow, waiting)


async def on_coverage_carved_out(event: CoverageCarvedOut, uow: ClaimWork) -> None:
    if event.practice_id is None or event.administered_by == event.payer_id:
        return
    plan: PlanKey = (event.tenant_id, event.practice_id, event.patient_ref, event.payer_id)
    administrator = (event.administered_by, event.administrator_name)
    await uow.claims.hold_plans([plan])
    await uow.carve_outs.record(plan, administrator, at=datetime.now(UTC))
    for claim in await uow.claims.unsent(plan):
        await corrections.void(uow, claim, reason=f"carved out: billed to {event.administered_by}"[:80])
        billed_anew = creation.NewClaim.of(claim, routed(claim.content, administrator))
        await creation.create_claims(uow, [billed_anew])
