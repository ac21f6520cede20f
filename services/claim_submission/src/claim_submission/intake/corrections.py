"""Claims withdrawn and corrected, in the caller's transaction.

Corrections follow the payer's rules (docs/domain/payers.md, docs/domain/x12.md §4 and §6): a claim the payer
never accepted is simply replaced by a new original; a claim the payer accepted is corrected with frequency 7 (all
lines) or voided with frequency 8, both carrying the payer's claim number in REF*F8. When that number is not known
yet (the 277CA is still to come) the correction waits, held, and is released when the number arrives.
"""

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeVoided
from claimstream_platform.contracts.denial_management import CorrectionRequested
from claimstream_platform.messaging.consumer import Delivery, caused_by

from claim_submission.domain.claim import Claim
from claim_submission.domain.states import AT_PAYER, OPEN, TERMINAL, ClaimStatus
from claim_submission.handlers import publish, store
from claim_submission.intake.changes import apply_changes
from claim_submission.intake.creation import NewClaim, create_claims
from claim_submission.repository import ClaimWork


async def on_charge_voided(event: ChargeVoided, uow: ClaimWork) -> None:
    """Charges withdrawn: their claim is voided. For a correction ("corrected") a claim the payer may have waits
    for the corrected charges, which replace it; one that never left is voided now, since its charges no longer
    stand even if the corrected encounter is held for review. A later payer's claim (COB) is voided either way:
    it was billed from the primary's payment of charges that no longer stand, and the corrected claim's
    payment bills that payer anew."""
    current = await uow.claims.lock_of_encounter(event.tenant_id, event.encounter_id, open_only=True)
    for claim in current:
        if claim.encounter_version != event.version:
            continue
        primary = claim.content.responsibility == "primary"
        if primary and event.reason == "corrected" and claim.status in AT_PAYER:
            continue
        await void(uow, claim, reason=event.reason)


async def on_corrections_requested(deliveries: Sequence[Delivery], uow: ClaimWork) -> None:
    await corrections_requested(uow, [(d.event, d) for d in deliveries if isinstance(d.event, CorrectionRequested)])


async def on_correction_requested(event: CorrectionRequested, uow: ClaimWork) -> None:
    await corrections_requested(uow, [(event, None)])


async def corrections_requested(uow: ClaimWork, run: Sequence[tuple[CorrectionRequested, Delivery | None]]) -> None:
    """A run of one tenant's requests, in order, each new claim caused by its own delivery: their claims locked at
    once, and their corrections created together (`create_claims`: its reads once for the run). A claim asked twice
    in a run has the second request applied once the first's claims exist, as one at a time."""
    if not run:
        return
    claims = await uow.claims.lock_all(run[0][0].tenant_id, {event.claim_id for event, _ in run})
    together: list[NewClaim] = []
    for event, delivery in run:
        claim = claims.get(event.claim_id)
        if claim is not None and any(item.previous is claim for item in together):
            # the run so far is created first; its locks were taken, this part's come after them (a deadlock with
            # another run that this could meet is retried by the consumer, as any)
            await create_claims(uow, together)
            together = []
        with caused_by(delivery):
            new = await _correction(uow, event, claim)
        if new is not None:
            together.append(replace(new, cause=delivery))
    await create_claims(uow, together)


async def _correction(uow: ClaimWork, event: CorrectionRequested, claim: Claim | None) -> NewClaim | None:
    """The claim's new version the request asks for; None when nothing is left to correct (an earlier request
    corrected it). A new original takes the claim's place now, and says so."""
    if claim is None or claim.status in TERMINAL:
        return None
    content = apply_changes(claim.content, event.changes)
    if event.prior_authorization_number:
        content = content.model_copy(update={"prior_authorization_number": event.prior_authorization_number})
    if event.resubmit_as == "new_original":
        claim.replace(by="a new original", reason=event.reason)
        await store(uow, [claim])
        return NewClaim.of(claim, content, frequency="1", supersedes=claim)
    return NewClaim.of(claim, content, previous=claim, note=event.reason[:80])


async def void(uow: ClaimWork, claim: Claim, *, reason: str) -> None:
    """Void locally when the payer never had the claim; otherwise send a frequency 8 for it."""
    if claim.status not in AT_PAYER:
        if claim.status in OPEN or claim.status == ClaimStatus.REJECTED:
            claim.void(reason)
            await store(uow, [claim])
        return
    if await uow.claims.void_on_its_way(claim.id):
        return  # a retried void: the frequency-8 claim is already on its way
    voiding = NewClaim.of(claim, claim.content, previous=claim, frequency="8", note=f"void: {reason}"[:80])
    await create_claims(uow, [voiding])
    claim.announce_void(reason)
    publish(uow, [claim])


async def release_waiting_corrections(uow: ClaimWork, numbered: dict[UUID, str]) -> None:
    """The payer numbered claims (id -> its number): corrections that waited for those numbers can go."""
    if not numbered:
        return
    waiting = await uow.claims.lock_where(statuses=[ClaimStatus.HELD], replacing=list(numbered))
    for claim in (c for c in waiting if c.frequency in ("7", "8")):  # a new original waits for no number
        claim.number_arrived(numbered[claim.replaces_claim_id])  # type: ignore[index]
    await store(uow, waiting)
