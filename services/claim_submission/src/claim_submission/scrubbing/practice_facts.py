"""Charge capture's `PayerFactsOverridden` into claim submission's own model (the edge): a practice's own facts for
a payer, kept per practice, payer and start in the platform's read model (`uow.payer_overrides`), which the scrub
reads once for a run (`run.scrub_run`) and applies over ours. An override changes what the next scrub finds (a new
claim, a held claim released or billed anew); it does not scrub again the claims already held or sent."""

from claimstream_platform.contracts.charge_capture import PayerFactsOverridden

from claim_submission.repository import ClaimWork


async def on_payer_facts_overridden(event: PayerFactsOverridden, uow: ClaimWork) -> None:
    await uow.payer_overrides.record(event)
