"""A practice's own payer facts (charge capture's `PayerFactsOverridden`, docs/domain/payers.md), kept in the
platform's read model (`uow.payer_overrides`), and the layers a case's practice has for its payer, which the
handlers pass to the pure rules (`deadlines`, `automatic`, `handlers.resubmit_as`). An override counts for the
cases opened after it; a case keeps the deadline it was opened with."""

from claimstream_platform.contracts.charge_capture import PayerFactsOverridden
from claimstream_platform.payers import Layer

from denial_management.domain import Opening
from denial_management.repository import DenialWork


async def on_payer_facts_overridden(event: PayerFactsOverridden, uow: DenialWork) -> None:
    await uow.payer_overrides.record(event)


async def overrides_for(uow: DenialWork, opening: Opening) -> tuple[Layer, ...]:
    """The case's practice's own facts for its payer, oldest start first (none for a case of no practice)."""
    if opening.practice_id is None:
        return ()
    key = (opening.tenant_id, opening.practice_id, opening.payer_id)
    return (await uow.payer_overrides.of([key])).get(key, ())
