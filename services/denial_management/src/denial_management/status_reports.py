"""Claim submission's claim status answers into a denial case (the edge): a payer that says in a 277 that it
denied a claim (F2, F4) opens a case before its remittance comes; the remittance's own denial, when it comes, is
triaged by its reasons as any other, and settles the case the 277 opened (`handlers._told_before`)."""

from claimstream_platform.contracts.claim_submission import ClaimStatusReported
from claimstream_platform.dates import business_date

from denial_management.domain import Opening
from denial_management.handlers import known_or_kept, open_case
from denial_management.repository import DenialWork
from denial_management.triage import triage_status


async def on_claim_status_reported(event: ClaimStatusReported, uow: DenialWork) -> None:
    if event.finding != "denied":
        return
    claim = await known_or_kept(uow, event)
    if claim is None:
        return
    opening = Opening(
        tenant_id=event.tenant_id,
        practice_id=claim.practice_id,
        claim_id=event.claim_id,
        payer_id=claim.payer_id,
        kind="denial",
        level="claim",
        line_number=None,
        procedure_code=None,
        amount=claim.total_charge,
        denied_on=event.effective or business_date(),
        service_date=claim.service_date,
        source_key=f"status:{event.claim_id}:{event.category}:{event.code}",
        payer_kind=claim.payer_kind,
    )
    await open_case(uow, opening, triage_status(event.category, event.code), claim)
