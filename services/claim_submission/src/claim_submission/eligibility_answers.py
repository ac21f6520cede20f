"""Eligibility's answers into claim submission's own model (the edge): the payer said a coverage was not active on
a date of service, so a claim for it is held before it is sent, and the claims of that visit not sent yet are
held now; an answer that the coverage is active lets later claims go. A claim the payer already has is left to
its adjudication (a denial that denial management works)."""

from datetime import UTC, datetime

from claimstream_platform.contracts.eligibility import CoverageInactive, EligibilityVerified
from claimstream_platform.db import UnitOfWork

from claim_submission import handlers
from claim_submission.coverage_rule import CoverageKey, inactive_reason
from claim_submission.repository import coverage


def key_of(event: CoverageInactive | EligibilityVerified) -> CoverageKey | None:
    if event.practice_id is None:
        return None
    return event.tenant_id, event.practice_id, event.patient_ref, event.payer_id, event.service_date


async def on_coverage_inactive(event: CoverageInactive, uow: UnitOfWork) -> None:
    key = key_of(event)
    if key is None:
        return
    await coverage.record(uow, key, active=False, at=datetime.now(UTC))
    waiting = await coverage.ready_claims(uow, key)
    for claim in waiting:
        claim.hold([inactive_reason()])
    await handlers.store(uow, waiting)


async def on_eligibility_verified(event: EligibilityVerified, uow: UnitOfWork) -> None:
    key = key_of(event)
    if key is not None:
        await coverage.record(uow, key, active=True, at=datetime.now(UTC))
