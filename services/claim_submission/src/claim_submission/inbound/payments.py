"""What the claim's payer did with it (remittance posting's `PaymentPosted`): the payer's latest claim number, and
the claim to the next payer when the patient has another coverage (`coordination.py`). A partition's payments come
as a run: their claims are locked, marked remitted and renumbered a statement each for the whole run, and the next
payers' claims created together."""

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.dates import business_date
from claimstream_platform.messaging.consumer import Delivery

from claim_submission.domain.claim import Claim
from claim_submission.domain.content import ClaimContent
from claim_submission.domain.states import OPEN
from claim_submission.handlers import store
from claim_submission.inbound.coordination import adjudication_of, from_the_billed_payer, next_payer
from claim_submission.intake.creation import NewClaim, create_claims
from claim_submission.repository import ClaimWork


async def on_payments_posted(deliveries: Sequence[Delivery], uow: ClaimWork) -> None:
    await payments_posted(uow, [(d.event, d) for d in deliveries if isinstance(d.event, PaymentPosted)])


async def on_payment_posted(event: PaymentPosted, uow: ClaimWork) -> None:
    await payments_posted(uow, [(event, None)])


async def payments_posted(uow: ClaimWork, run: Sequence[tuple[PaymentPosted, Delivery | None]]) -> None:
    """What the claims' payer did with them, a run of one tenant's payments in order: their claims locked at once,
    marked remitted (their ERAs came: no status inquiry for them) and renumbered in a statement each, each payment's
    next payer billed as caused by its own delivery. A crossover payer's own 835 for a claim is passed over: its
    number and payment are not our payer's word."""
    if not run:
        return
    claims = await uow.claims.lock_all(run[0][0].tenant_id, {event.claim_id for event, _ in run})
    ours = [
        (event, delivery, claims[event.claim_id])
        for event, delivery in run
        if event.claim_id in claims and from_the_billed_payer(claims[event.claim_id].content, event)
    ]
    await uow.statuses.remitted(run[0][0].tenant_id, {claim.id for *_, claim in ours})
    together: list[NewClaim] = []
    for event, delivery, claim in ours:
        if any(item.encounter_id == claim.encounter_id for item in together):
            # an encounter paid twice: the first payment's claim exists before the second renumbers or bills
            await create_claims(uow, together)
            together = []
        _renumber(claim, event)
        following = await _next_payers_claim(uow, claim, event, claims)
        if following is not None:
            together.append(replace(following, cause=delivery))
    await create_claims(uow, together)  # the next payers' claims at once: the scrub's reads once for the run
    await store(uow, list({claim.id: claim for *_, claim in ours}.values()))


def _renumber(claim: Claim, event: PaymentPosted) -> None:
    """Its claim control number (CLP07) is the latest one a correction's REF*F8 must carry (it changes when the
    payer reprocesses, and may differ from the 277CA's); a reversal's is not."""
    number = event.payer_claim_number
    if number and event.outcome != "reversed" and claim.payer_claim_number != number:
        claim.renumbered(number)


async def _next_payers_claim(
    uow: ClaimWork, claim: Claim, event: PaymentPosted, run: dict[UUID, Claim]
) -> NewClaim | None:
    """When the patient has another coverage and still owes something, the claim that bills the next payer
    (coordination.py), if it is not billed already with what this payment paid. `run`: the run's claims, as this run
    has changed them so far."""
    paid_on = business_date(claim.content.time_zone)  # the day it was recorded, on the practice's calendar
    adjudication = adjudication_of(event, paid_on=paid_on)
    following = next_payer(claim.content, event.outcome, adjudication, forwarded=event.forwarded)
    if following is None:
        return None
    billed = await _billed_already(uow, claim, following.payer.payer_id, run)
    if billed is None:
        return NewClaim.of(claim, following)
    if (
        billed.status in OPEN
        and billed.frequency != "8"
        and _what_it_paid(billed, claim) != _what_it_paid(following, claim)
    ):
        # the payer reversed and paid again: the next payer's claim carries what it paid now (a replacement when
        # that payer has it, a new version when it is still ours); a redelivered payment changes nothing
        return NewClaim.of(billed, following, previous=billed, note="the prior payer paid again")
    return None


async def _billed_already(uow: ClaimWork, claim: Claim, payer_id: str, run: dict[UUID, Claim]) -> Claim | None:
    """The claim of this encounter version to that payer, the latest one (a redelivered payment bills it once); the
    run's own copy of it when the run has one (renumbered by an earlier payment, stored at the run's end)."""
    earlier = [run.get(c.id, c) for c in await uow.claims.lock_of_encounter(claim.tenant_id, claim.encounter_id)]
    billed = [c for c in earlier if c.payer_id == payer_id and c.encounter_version == claim.encounter_version]
    return billed[0] if billed else None  # newest first


def _what_it_paid(later: Claim | ClaimContent, earlier: Claim) -> list[object]:
    """What a later payer's claim says the earlier payer did (its 2320/2430 amounts)."""
    content = later.content if isinstance(later, Claim) else later
    place = earlier.content.responsibility
    return [o.adjudication for o in content.other_payers if o.responsibility == place]
