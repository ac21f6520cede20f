"""A partition's run of payments (payments.py) leaves each claim and case as the same payments one at a time: two
payments of a claim add up and the later number stands, a reversal keeps the number, the replacement's payment pays
the case that asked for it and its second payment finds that case resolved, only the claim's payer paying the
appealed line overturns it, and a payment of a claim that has not arrived is applied when it does. Each resolution
is published as caused by its own payment."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.messaging.envelope import DecodedEvent, EventMetadata
from denial_management import payments
from denial_management.repository import DenialWork
from denial_testkit import cases_of, created, deliver, denied, paid
from sqlalchemy import text

MakeUow = Callable[[], DenialWork]
CLAIM = "SELECT paid, payer_claim_number FROM claims WHERE claim_id = :c"
RESOLVED = "SELECT subject, causation_id FROM outbox WHERE event_type = 'claimstream.denial.resolved.v1'"
NOW = datetime.now(UTC)


def numbered(payment: PaymentPosted, number: str, **changes: Any) -> PaymentPosted:
    return payment.model_copy(update={"payer_claim_number": number, **changes})


async def claims_paid(make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str], prefix: str) -> Any:
    """The claims the payments are of, and what came before them: a payment, a denial corrected by machine (its
    replacement is paid), a line's denial appealed; the last claim arrives after its payment."""
    plain, reversed_, wrong_place, appealed, early = (
        created(f"{prefix}{n:08d}", place="10" if n == 2 else "11") for n in range(5)
    )
    replacement = created(
        f"{prefix}00000009", place="02", replaces=wrong_place.claim_id, encounter=wrong_place.encounter_id
    )
    await deliver(make_uow, plain, reversed_, wrong_place, appealed, replacement)
    await deliver(make_uow, numbered(paid(reversed_, "95"), "R-FIRST"))
    await deliver(make_uow, denied(wrong_place, ("CO", "16", "140"), remarks=("M77",)))  # corrected by machine
    await deliver(make_uow, denied(appealed, ("CO", "50", "140"), level="line", line_number=1))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(appealed.claim_id)]
    body = {"reason": "Medically necessary: see the notes.", "facts": ["53 minutes documented"]}
    assert (await client.post(f"/v1/denials/{case['id']}/appeal", json=body, headers=auth)).status_code == 200
    return plain, reversed_, wrong_place, appealed, early, replacement


async def outcome(
    make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str], prefix: str, *, in_one_run: bool
) -> Any:
    plain, reversed_, wrong_place, appealed, early, replacement = await claims_paid(make_uow, client, auth, prefix)
    run = [
        numbered(paid(plain, "40"), "N-1"),
        numbered(paid(plain, "10"), "N-2"),
        numbered(paid(reversed_, "-95"), "R-AGAIN", outcome="reversed"),
        paid(replacement, "95"),
        paid(replacement, "30"),  # its case is resolved by the first
        paid(appealed, "20", payer="SIMMCD", lines=((1, "20"),)),  # a crossover payer's share
        paid(appealed, "120", lines=((1, "120"),)),
        paid(early, "60"),  # before its claim
    ]
    meta = [EventMetadata(event_id=uuid4(), source="remittance-posting", time=NOW, correlation_id=uuid4()) for _ in run]
    if in_one_run:
        async with make_uow() as uow:
            await payments.on_payments_posted([DecodedEvent(e, m) for e, m in zip(run, meta, strict=True)], uow)
            await uow.commit()
    else:
        await deliver(make_uow, *run)
    await deliver(make_uow, early)
    async with make_uow() as uow:
        claims = [
            tuple((await uow.session.execute(text(CLAIM), {"c": c.claim_id})).one())
            for c in (plain, reversed_, replacement, appealed, early)
        ]
        causes = {row.subject: row.causation_id for row in await uow.session.execute(text(RESOLVED))}
    mine = {str(c.claim_id): n for n, c in enumerate((wrong_place, appealed))}
    cases = sorted((mine[c["claim_id"]], c) for c in await cases_of(client, auth) if c["claim_id"] in mine)
    found = [(c["status"], c["resolution"], c["recovered"]) for _, c in cases]
    return claims, found, [causes.get(c["id"]) for _, c in cases] == [meta[3].event_id, meta[6].event_id]


async def test_a_run_of_payments_leaves_what_the_same_payments_one_at_a_time_leave(
    make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    alone = await outcome(make_uow, client, auth, "PA", in_one_run=False)
    claims, cases, caused_by_their_payments = await outcome(make_uow, client, auth, "PR", in_one_run=True)
    assert (claims, cases) == alone[:2]
    assert [(str(paid), number) for paid, number in claims] == [
        ("50.00", "N-2"),
        ("0.00", "R-FIRST"),
        ("125.00", "AHP1"),
        ("140.00", "AHP1"),
        ("60.00", "AHP1"),
    ]
    assert cases == [("resolved", "corrected_and_paid", "95.00"), ("resolved", "overturned", "120.00")]
    assert caused_by_their_payments
