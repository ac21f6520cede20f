"""A partition's run of acceptances (acceptances.py) is one statement and leaves each claim as the same
acceptances one at a time: its first acceptance date, the first number it was given unless a payment named it
already; one of a claim that has not arrived is kept for it and applied when it does."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from claimstream_platform.contracts.claim_submission import ClaimAccepted, ClaimCreated
from denial_management import acceptances
from denial_management.repository import DenialWork
from denial_testkit import accepted, created, deliver, paid
from sqlalchemy import text

MakeUow = Callable[[], DenialWork]
CLAIM = "SELECT payer_claim_number, accepted_on FROM claims WHERE claim_id = :c"


def numbered(claim: ClaimCreated, number: str | None) -> ClaimAccepted:
    return accepted(claim).model_copy(update={"payer_claim_number": number})


async def claims_after(make_uow: MakeUow, prefix: str, *, in_one_run: bool) -> list[Any]:
    plain, twice, paid_first, early = (created(f"{prefix}{n:08d}") for n in range(4))
    await deliver(make_uow, plain, twice, paid_first, paid(paid_first))  # the payment names it AHP1
    run = [
        numbered(plain, "N-PLAIN"),
        numbered(twice, None),  # accepted without a number, then with one
        numbered(twice, "N-TWICE"),
        numbered(twice, "N-LATER"),
        numbered(paid_first, "N-PAID"),
        numbered(early, "N-EARLY"),  # before its claim
    ]
    if in_one_run:
        async with make_uow() as uow:
            await acceptances.on_claims_accepted([SimpleNamespace(event=event) for event in run], uow)
            await uow.commit()
    else:
        await deliver(make_uow, *run)
    await deliver(make_uow, early)  # it arrives: what was kept for it is applied
    async with make_uow() as uow:
        return [
            tuple((await uow.session.execute(text(CLAIM), {"c": claim.claim_id})).one())
            for claim in (plain, twice, paid_first, early)
        ]


async def test_a_run_of_acceptances_leaves_what_the_same_acceptances_one_at_a_time_leave(make_uow: MakeUow) -> None:
    alone = await claims_after(make_uow, "CA", in_one_run=False)
    together = await claims_after(make_uow, "CR", in_one_run=True)
    assert together == alone
    assert [number for number, _ in together] == ["N-PLAIN", "N-TWICE", "AHP1", "N-EARLY"]
    assert all(on is not None for _, on in together)
