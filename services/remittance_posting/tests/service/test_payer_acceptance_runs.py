"""A partition's run of acceptances (claim submission's `ClaimAccepted`, from the 277CA) in one statement, on real
PostgreSQL: each claim's payment is due from then, and its latest payer claim number stands (issue 33)."""

from collections.abc import Callable
from uuid import UUID

from claimstream_platform.db import UnitOfWork
from remittance_posting import handlers
from remittance_testkit import claim_created
from sqlalchemy import text
from test_remittance_api import acceptance, announce


async def known(make_uow: Callable[[], UnitOfWork]) -> dict[UUID, tuple[bool, str | None]]:
    """Each known claim: whether it is accepted, and its payer claim number."""
    query = text("SELECT claim_id, accepted_at IS NOT NULL, payer_claim_number FROM known_claims")
    async with make_uow() as uow:
        return {claim_id: (was, number) for claim_id, was, number in await uow.session.execute(query)}


async def test_a_run_of_acceptances_dates_each_claim_and_keeps_its_latest_number(
    make_uow: Callable[[], UnitOfWork],
) -> None:
    renumbered, unnumbered, accepted_twice, never = (claim_created(f"CS00000009{n}") for n in range(10, 14))
    await announce(make_uow, renumbered, unnumbered, accepted_twice)
    run = [
        acceptance(renumbered, "FIRST"),
        acceptance(unnumbered, None),
        acceptance(accepted_twice, "ONLY"),
        acceptance(renumbered, "LATEST"),
        acceptance(accepted_twice, None),  # the 277CA named no number this time: the one it had stays
        acceptance(never, "NOWHERE"),  # a claim never announced: nothing to date
    ]
    async with make_uow() as uow:
        await handlers.on_claims_accepted(run, uow)
        await uow.commit()
    assert await known(make_uow) == {
        renumbered.claim_id: (True, "LATEST"),
        unnumbered.claim_id: (True, None),
        accepted_twice.claim_id: (True, "ONLY"),
    }
