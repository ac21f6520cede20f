"""Payments (remittance posting's `PaymentPosted`): each adds to its claim's paid amount, and resolves what it
answers: the corrected claim's payment pays the case that asked for the correction; a payment of what we appealed
overturns the denial. Only the claim's own payer answers its cases: a crossover payer paying the patient's share
overturns nothing. A partition's payments come as a run: their claims are read in one statement, the payments added
in one more, and the cases they may answer read and locked in a third, as one at a time they would be (a case one
payment resolves is not there for the next)."""

from collections.abc import Sequence
from typing import Any

from claimstream_platform.contracts.denial_management import Resolution
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.messaging.consumer import Delivery, caused_by

from denial_management.domain import Case, CaseStatus
from denial_management.handlers import publish_saved
from denial_management.repository import DenialWork


async def on_payments_posted(deliveries: Sequence[Delivery], uow: DenialWork) -> None:
    await posted(uow, [(d.event, d) for d in deliveries if isinstance(d.event, PaymentPosted)])


async def on_payment_posted(event: PaymentPosted, uow: DenialWork) -> None:
    await posted(uow, [(event, None)])


async def posted(uow: DenialWork, run: Sequence[tuple[PaymentPosted, Delivery | None]]) -> None:
    """A run of one tenant's payments, in order, each publishing as caused by its own delivery; a payment of a claim
    that has not arrived is kept for it (`handlers.known_or_kept`)."""
    if not run:
        return
    await uow.claims.hold(event.claim_id for event, _ in run)
    claims = await uow.claims.rows_of(run[0][0].tenant_id, {event.claim_id for event, _ in run})
    for event, _ in run:
        if event.claim_id not in claims:
            await uow.early_events.keep(event, event.claim_id)
    paying = [(event, delivery) for event, delivery in run if event.claim_id in claims]
    await uow.claims.add_payments([_payment(event) for event, _ in paying])
    answering = [(event, delivery) for event, delivery in paying if _may_answer(event, claims[event.claim_id])]
    replaced = {claims[event.claim_id].replaces_claim_id for event, _ in answering} - {None}
    cases = await uow.cases.lock_answerable(list(replaced), list({event.claim_id for event, _ in answering}))
    for event, delivery in answering:
        with caused_by(delivery):
            await publish_saved(uow, _resolve(event, claims[event.claim_id], cases))


def _payment(event: PaymentPosted) -> dict[str, Any]:
    """What the payment adds to its claim: its amount, and the payer's claim number unless it reverses."""
    number = None if event.outcome == "reversed" else event.payer_claim_number
    return {"claim_id": event.claim_id, "paid": event.paid, "payer_claim_number": number or None}


def _may_answer(event: PaymentPosted, claim: Any) -> bool:
    return event.paid > 0 and event.outcome in ("paid", "partially_paid") and event.payer_id == claim.payer_id


def _resolve(event: PaymentPosted, claim: Any, cases: Sequence[Case]) -> list[Case]:
    """The cases the payment answers, resolved with what it recovers (its amount, spent in order): the replaced
    claim's cases waiting for a correction, then the appealed cases of either claim whose line it pays."""
    replaced, waiting = claim.replaces_claim_id, (CaseStatus.CORRECTING, CaseStatus.OPEN)
    corrected = [c for c in cases if replaced and c.opening.claim_id == replaced and c.status in waiting]
    appealed = [
        c for c in cases if c.opening.claim_id in (event.claim_id, replaced) and c.status == CaseStatus.APPEALED
    ]
    answered: list[tuple[Case, Resolution]] = [
        *((c, "corrected_and_paid") for c in corrected),
        *((c, "overturned") for c in appealed if _pays(event, c)),
    ]
    left = event.paid
    for case, resolution in answered:
        recovered = min(left, case.opening.amount)
        left -= recovered
        case.resolve(resolution, "system", recovered=recovered)
    return [case for case, _ in answered]


def _pays(event: PaymentPosted, case: Case) -> bool:
    """Whether the payment pays what the case is about: its line, or the claim."""
    if case.opening.level != "line":
        return event.paid > 0
    return any(line.line_number == case.opening.line_number and line.paid > 0 for line in event.lines)
