"""Claims from a run of coded encounters, in a few statements: the consumer's batch handler for ChargeCaptured.

The common case, an encounter billed for the first time, is created with the others of the run: one query for
which encounters already have claims, one for open claims that would be duplicates, one multi-row insert each
for the claims and their history. Anything else (a corrected encounter, one seen twice in the run, a replay)
takes the one-event path (`capture`), in the run's order, so the outcome is the same as applying the events one
by one. Both create their claims through `creation.create_claims`.
"""

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from claimstream_platform.contracts.charge_capture import ChargeCaptured
from claimstream_platform.messaging.consumer import Delivery, caused_by

from claim_submission.domain.content import Captured, content_of
from claim_submission.domain.states import OPEN
from claim_submission.intake.creation import NewClaim, billed, create_claims
from claim_submission.repository import ClaimWork


async def on_charges_captured(deliveries: Sequence[Delivery], uow: ClaimWork) -> None:
    run = [(d, content_of(d.event)) for d in deliveries if isinstance(d.event, ChargeCaptured)]
    known = await uow.claims.encounters_with_claims(((c.tenant_id, c.encounter_id) for _, c in run))
    first_time: list[NewClaim] = []
    seen: set[tuple[UUID, UUID]] = set()
    for delivery, captured in run:
        encounter = (captured.tenant_id, captured.encounter_id)
        if encounter in known or encounter in seen:
            await create_claims(uow, first_time)  # what came before it, first
            first_time = []
            with caused_by(delivery):
                await capture(captured, uow)
        else:
            first_time.append(NewClaim.of(captured, captured.content, cause=delivery))
        seen.add(encounter)
    await create_claims(uow, first_time)


async def on_charge_captured(event: ChargeCaptured, uow: ClaimWork) -> None:
    await capture(content_of(event), uow)


async def capture(captured: Captured, uow: ClaimWork) -> None:
    """A coded encounter (or a corrected version of one) becomes a claim: a replacement of the encounter's open
    claim to the same payer when that payer may have it, else a new original."""
    earlier = await uow.claims.lock_of_encounter(captured.tenant_id, captured.encounter_id)
    if any(claim.encounter_version == captured.version for claim in earlier):
        return  # replayed after a crash before the inbox row: already done
    [new] = await billed(uow, [NewClaim.of(captured, captured.content)])
    payer_id = new.content.payer.payer_id  # a later payer's claims (COB) are not the ones it corrects
    previous = next((claim for claim in earlier if claim.status in OPEN and claim.payer_id == payer_id), None)
    await create_claims(uow, [replace(new, previous=previous)])
