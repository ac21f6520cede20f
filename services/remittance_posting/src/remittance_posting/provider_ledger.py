"""PLB provider-level adjustments on the provider ledger: interest, recoupments, forward balances. Each is linked to
the claim its reference (the payer's claim number, among the claims of the 835's payer) names, when we know it, and
announced with its kind (claimstream_platform.adjustments): a recoupment reduces that claim's payment; interest is
income; the rest is the provider's own balance, never a patient's claim."""

from uuid import UUID

from claimstream_platform.adjustments import provider_adjustment_kind
from claimstream_platform.contracts import remittance_posting as events

from remittance_posting import era
from remittance_posting.known import KnownClaim
from remittance_posting.model import LedgerEntry
from remittance_posting.repository import PostingWork


async def post_ledger(
    uow: PostingWork,
    remittance_id: UUID,
    remittance: era.Remittance,
    owner: tuple[UUID | None, UUID | None],
    by_number: dict[str, KnownClaim],
) -> None:
    """PLB amounts on the provider ledger, each linked to the claim its reference names when we know it."""
    entries = []
    for adjustment in remittance.provider_adjustments:
        claim = by_number.get(adjustment.reference)
        tenant, practice = (claim.tenant_id, claim.practice_id) if claim else owner
        entry = LedgerEntry(remittance_id, tenant, practice, adjustment, claim.claim_id if claim else None)
        entries.append(entry)
        if tenant is not None:
            uow.publish(_posted(entry, tenant))
    await uow.posting.add_provider_adjustments(entries)


def _posted(entry: LedgerEntry, tenant: UUID) -> events.ProviderAdjustmentPosted:
    """Announced with the values the ledger keeps (its columns' widths: an 835's PLB elements are shorter)."""
    adjustment = entry.adjustment
    reason = adjustment.reason[:10]
    return events.ProviderAdjustmentPosted(
        tenant_id=tenant,
        practice_id=entry.practice_id,
        remittance_id=entry.remittance_id,
        payee_npi=adjustment.provider_id[:80],
        reason=reason,
        reference=adjustment.reference[:80],
        amount=adjustment.amount,
        claim_id=entry.claim_id,
        kind=provider_adjustment_kind(reason),
    )
