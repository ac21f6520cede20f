"""The payer's acceptances of claims (claim submission's `ClaimAccepted`, from the 277CA): the proof a timely-filing
appeal needs. A partition's acceptances come as a run: which of their claims have arrived is asked in one statement,
the others' acceptances are kept for their claims (as `handlers.known_or_kept` keeps), and the rest are dated and
numbered in one more."""

from collections.abc import Sequence
from uuid import UUID

from claimstream_platform.contracts.claim_submission import ClaimAccepted
from claimstream_platform.dates import business_date
from claimstream_platform.messaging.consumer import Delivery

from denial_management.repository import DenialWork


async def on_claims_accepted(deliveries: Sequence[Delivery], uow: DenialWork) -> None:
    await accepted(uow, [d.event for d in deliveries if isinstance(d.event, ClaimAccepted)])


async def on_claim_accepted(event: ClaimAccepted, uow: DenialWork) -> None:
    await accepted(uow, [event])


async def accepted(uow: DenialWork, run: Sequence[ClaimAccepted]) -> None:
    """A run of one tenant's acceptances, in order; a claim accepted twice takes the first number it was given, as
    one at a time it would."""
    if not run:
        return
    await uow.claims.hold(event.claim_id for event in run)
    arrived = await uow.claims.arrived(run[0].tenant_id, (event.claim_id for event in run))
    numbers: dict[UUID, str | None] = {}
    for event in run:
        if event.claim_id not in arrived:
            await uow.early_events.keep(event, event.claim_id)
        elif not numbers.get(event.claim_id):  # one claim accepted twice: the first number it was given
            numbers[event.claim_id] = event.payer_claim_number
    await uow.claims.accepted(numbers, business_date())
