"""PLB provider-level adjustments on the provider ledger: interest, recoupments, forward balances. Each is linked to
the claim its reference (the payer's claim number, among the claims of the 835's payer) names, when we know it, and
announced with its kind (claimstream_platform.adjustments): a recoupment reduces that claim's payment; interest is
income; the rest is the provider's own balance, never a patient's claim."""

from typing import Any
from uuid import UUID

from claimstream_platform.adjustments import provider_adjustment_kind
from claimstream_platform.contracts import remittance_posting as events
from claimstream_platform.db import UnitOfWork

from remittance_posting import era
from remittance_posting.known import KnownClaim
from remittance_posting.repository import posting as repository


async def post_ledger(
    uow: UnitOfWork,
    remittance_id: UUID,
    remittance: era.Remittance,
    owner: tuple[UUID | None, UUID | None],
    by_number: dict[str, KnownClaim],
) -> None:
    """PLB amounts on the provider ledger, each linked to the claim its reference names when we know it."""
    rows = []
    for adjustment in remittance.provider_adjustments:
        claim = by_number.get(adjustment.reference)
        tenant, practice = (claim.tenant_id, claim.practice_id) if claim else owner
        row = _row(remittance_id, adjustment, tenant, practice, claim)
        rows.append(row)
        if tenant is not None:
            uow.publish(_posted(row, tenant))
    await repository.add_provider_adjustments(uow, rows)


def _row(
    remittance_id: UUID,
    adjustment: era.ProviderAdjustment,
    tenant: UUID | None,
    practice: UUID | None,
    claim: KnownClaim | None,
) -> dict[str, Any]:
    return {
        "remittance_id": remittance_id,
        "tenant_id": tenant,
        "practice_id": practice,
        "payee_npi": adjustment.provider_id[:80],
        "reason": adjustment.reason[:10],
        "reference": adjustment.reference[:80],
        "amount": adjustment.amount,
        "claim_id": claim.claim_id if claim else None,
    }


def _posted(row: dict[str, Any], tenant: UUID) -> events.ProviderAdjustmentPosted:
    return events.ProviderAdjustmentPosted(
        tenant_id=tenant,
        practice_id=row["practice_id"],
        remittance_id=row["remittance_id"],
        payee_npi=row["payee_npi"],
        reason=row["reason"],
        reference=row["reference"],
        amount=row["amount"],
        claim_id=row["claim_id"],
        kind=provider_adjustment_kind(row["reason"]),
    )
