"""PLB provider-level adjustments on the provider ledger: interest, recoupments, forward balances. Each is
linked to the claim its reference (the payer's claim number) names, when we know it, never posted onto a
patient's claim."""

from uuid import UUID

from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.db import UnitOfWork

from remittance_posting import era
from remittance_posting.domain import KnownClaim
from remittance_posting.repository import posting as repository


async def post_ledger(
    uow: UnitOfWork, remittance_id: UUID, remittance: era.Remittance, owner: tuple[UUID | None, UUID | None],
    by_number: dict[str, KnownClaim],
) -> None:  # fmt: skip
    """PLB amounts on the provider ledger, each linked to the claim its reference names when we know it."""
    known = dict(by_number)
    missing = [a.reference for a in remittance.provider_adjustments if a.reference and a.reference not in known]
    if missing:
        known.update((await repository.claims_for(uow, (), missing, owner[0]))[1])
    rows = []
    for adjustment in remittance.provider_adjustments:
        claim = known.get(adjustment.reference)
        tenant, practice = (claim.tenant_id, claim.practice_id) if claim else owner
        rows.append({"remittance_id": remittance_id, "tenant_id": tenant, "practice_id": practice,
                     "payee_npi": adjustment.provider_id[:80], "reason": adjustment.reason[:10],
                     "reference": adjustment.reference[:80], "amount": adjustment.amount,
                     "claim_id": claim.claim_id if claim else None})  # fmt: skip
        if tenant is not None:
            uow.publish(events.ProviderAdjustmentPosted(
                tenant_id=tenant, practice_id=practice, remittance_id=remittance_id, payee_npi=adjustment.provider_id,
                reason=adjustment.reason, reference=adjustment.reference, amount=adjustment.amount,
                claim_id=claim.claim_id if claim else None,
            ))  # fmt: skip
    await repository.insert_rows(uow, "provider_adjustments", rows)
