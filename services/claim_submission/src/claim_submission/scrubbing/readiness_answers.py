"""The billing office's word on whether a practice may bill a payer into claim submission's own model (the edge):
the checks it turned on per payer, its claims (837) enrollments and its clinicians' credentialing spans. Each
announcement is kept, then the practice's claims to that payer not sent yet are looked at again: one the checks
now hold goes to the work queue with the reason; one they held goes when nothing holds it any more (a span made
effective back to its date of service releases it), or keeps only its other reasons.

Under the practice and payer's lock (`uow.readiness.hold`), which a claim's creation takes too: a claim made while
an announcement is applied is seen by it, or sees it."""

from typing import Any

from claimstream_platform.contracts.billing_office import CredentialChanged, EnrollmentChanged, PayerChecksSet

from claim_submission.domain.states import ClaimStatus
from claim_submission.handlers import store
from claim_submission.repository import ClaimWork
from claim_submission.repository.readiness import PayerKey
from claim_submission.scrubbing.readiness_rule import RULES, readiness_reasons


async def on_payer_checks_set(event: PayerChecksSet, uow: ClaimWork) -> None:
    if event.practice_id is None:
        return
    key = (event.tenant_id, event.practice_id, event.payer_id[:80])
    await uow.readiness.hold([key])
    await uow.readiness.set_checks(key, event.enrollment, event.credentialing)
    await reconsider(uow, key)


async def on_enrollment_changed(event: EnrollmentChanged, uow: ClaimWork) -> None:
    if event.practice_id is None or event.transaction != "claims":
        return
    key = (event.tenant_id, event.practice_id, event.payer_id[:80])
    await uow.readiness.hold([key])
    row: dict[str, Any] = {"id": event.enrollment_id, "tenant_id": event.tenant_id, "practice_id": event.practice_id}
    row |= {"payer_id": key[2], "npi": event.npi, "tax_id": event.tax_id, "status": event.status}
    await uow.readiness.put_enrollment(row | {"effective_from": event.effective_from})
    await reconsider(uow, key)


async def on_credential_changed(event: CredentialChanged, uow: ClaimWork) -> None:
    if event.practice_id is None:
        return
    key = (event.tenant_id, event.practice_id, event.payer_id[:80])
    await uow.readiness.hold([key])
    row: dict[str, Any] = {"id": event.credential_id, "tenant_id": event.tenant_id, "practice_id": event.practice_id}
    row |= {"payer_id": key[2], "npi": event.npi, "state": event.state, "status": event.status}
    await uow.readiness.put_span(row | {"effective_from": event.effective_from, "effective_to": event.effective_to})
    await reconsider(uow, key)


async def reconsider(uow: ClaimWork, key: PayerKey) -> None:
    """The practice's unsent claims to the payer, held or released by what the office says now."""
    readiness = (await uow.readiness.of([key]))[key]
    changed = []
    for claim in await uow.claims.unsent_to(*key):
        now = readiness_reasons(claim.content, readiness)
        before = [r for r in claim.reasons if r.rule in RULES]
        if [r.rule for r in now] == [r.rule for r in before] and (claim.status == ClaimStatus.HELD or not now):
            continue
        others = [r for r in claim.reasons if r.rule not in RULES]
        if others or now:
            claim.hold([*others, *now])
        else:
            claim.release([], [])
        changed.append(claim)
    await store(uow, changed)
