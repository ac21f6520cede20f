"""Scenario 7 as a property, on real PostgreSQL through the consumer's handlers: a claim's family of events (its
creation, the payer's acceptance, a payment, the payment's reversal (CLP02 22) and the denial that replaced it) in
every one of the 120 orders it could arrive in leaves denial management as in-order delivery does, with the claim's
payments never negative. Each order is a claim of its own in one schema."""

import json
from collections.abc import Callable
from decimal import Decimal
from itertools import permutations
from typing import Any

from claimstream_platform.contracts.claim_submission import ClaimCreated
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from denial_management.repository import DenialWork
from denial_testkit import accepted, created, deliver, denied, paid
from sqlalchemy import text

MakeUow = Callable[[], DenialWork]
CLAIM = "SELECT paid, payer_claim_number, accepted_on, service_date, payer_kind FROM claims WHERE claim_id = :c"
CASES = (
    "SELECT kind, level, category, codes, status, resolution, amount, recovered, denied_on, service_date, deadline,"
    " deadline_basis, automatic, payer_id FROM cases WHERE claim_id = :c ORDER BY source_key"
)
EVENTS = "SELECT event_type, convert_from(payload, 'UTF8') AS body FROM outbox ORDER BY seq"


def reversed_(payment: PaymentPosted) -> PaymentPosted:
    """The payer takes the payment back (CLP02 22): the amounts negated, in a later remittance."""
    return payment.model_copy(update={"outcome": "reversed", "claim_status": "22", "paid": -payment.paid})


def family(pcn: str) -> tuple[ClaimCreated, list[Any]]:
    """A claim's events in the order they happened."""
    claim = created(pcn)
    payment = paid(claim, "95")
    return claim, [claim, accepted(claim), payment, reversed_(payment), denied(claim, ("CO", "50", "140"))]


async def state(make_uow: MakeUow, claim: ClaimCreated) -> tuple[Any, ...]:
    """What denial management holds of the claim: its row, its cases, and the kinds of events it published of it."""
    async with make_uow() as uow:
        row = (await uow.session.execute(text(CLAIM), {"c": claim.claim_id})).one_or_none()
        cases = [tuple(found) for found in (await uow.session.execute(text(CASES), {"c": claim.claim_id})).all()]
        events = [
            found.event_type
            for found in (await uow.session.execute(text(EVENTS))).all()
            if json.loads(found.body).get("claim_id") == str(claim.claim_id)
        ]
    return (tuple(row) if row else None), cases, events


async def test_every_arrival_order_leaves_the_state_in_order_delivery_leaves(make_uow: MakeUow) -> None:
    claim, in_order = family("CS0000000990")
    await deliver(make_uow, *in_order)
    expected = await state(make_uow, claim)
    assert expected[0] is not None and expected[0][0] == Decimal(0) and len(expected[1]) == 1
    assert expected[1][0][11] is not None  # what the case's deadline counts from, stored with it
    differing = []
    for n, order in enumerate(permutations(range(len(in_order)))):
        claim, events = family(f"CS{n:010d}")
        await deliver(make_uow, *[events[i] for i in order])
        found = await state(make_uow, claim)
        assert found[0] is not None and found[0][0] >= 0, (order, found)  # the claim's payments never below nothing
        if found != expected:
            differing.append((order, found))
    assert differing == [], f"{len(differing)} of 120 orders differ from in-order delivery, first: {differing[0]}"
