"""Claim status routes: a biller asks where an accepted claim stands (a 276, sent by the claim status loop within
its next pass), the claim's inquiries with the payer's answers, and the missing ERAs: claims the payer says it
paid while no remittance reached us. HTTP only."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.errors import RuleViolation
from claimstream_platform.idempotency import run_command
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from claim_submission import handlers
from claim_submission.api import ClaimWorkDep
from claim_submission.domain.states import ClaimStatus
from claim_submission.inbound.claim_status import CATEGORY_WORDS

router = APIRouter(tags=["claim status"])
READERS = (Role.BILLER, Role.TENANT_ADMIN, Role.READ_ONLY)


class InquiryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    requested_at: datetime
    asked_at: datetime | None
    answered_at: datetime | None
    category: str | None  # STC01-1 (list 507)
    code: str | None  # STC01-2 (list 508)
    finding: str | None  # paid_without_era | denied | not_found | pending
    said: str | None = None  # the category in our words
    paid: Decimal | None
    paid_on: date | None
    check_number: str | None


class MissingEra(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: UUID
    payer_id: str
    patient_control_number: str
    paid: Decimal | None  # what the payer says it paid
    paid_on: date | None
    check_number: str | None  # the check or EFT trace the payer gave: what to ask the payer for the ERA of
    answered_at: datetime


@router.post(
    "/v1/claims/{claim_id}/status-inquiries",
    openapi_extra=allow(Role.BILLER, Role.TENANT_ADMIN, audit=Audit.PHI),
    response_model=InquiryOut,
    status_code=202,
)
async def ask_status(claim_id: UUID, request: Request, principal: CurrentPrincipal, uow: ClaimWorkDep) -> JSONResponse:
    """Ask the payer where the claim stands: one inquiry waits at a time (asked again, the waiting one)."""

    async def operation() -> InquiryOut:
        row = await uow.claims.in_scope(principal, claim_id)
        if row.status != ClaimStatus.ACCEPTED:
            raise RuleViolation("only a claim the payer accepted can be asked about", field="claim_id")
        claim = await handlers.locked_claim(uow, principal.tenant_id, row.id)
        inquiry_id = await uow.statuses.request(claim)
        [found] = [i for i in await uow.statuses.of_claim(principal, claim_id) if i.id == inquiry_id]
        return _out(found)

    return await run_command(request, principal=principal, uow=uow, body=None, operation=operation, status_code=202)


@router.get("/v1/claims/{claim_id}/status-inquiries", openapi_extra=allow(*READERS), response_model=list[InquiryOut])
async def inquiries(claim_id: UUID, principal: CurrentPrincipal, uow: ClaimWorkDep) -> list[InquiryOut]:
    async with uow:
        row = await uow.claims.in_scope(principal, claim_id)
        found = await uow.statuses.of_claim(principal, row.id)
    return [_out(inquiry) for inquiry in found]


@router.get("/v1/missing-eras", openapi_extra=allow(*READERS), response_model=list[MissingEra])
async def missing_eras(principal: CurrentPrincipal, uow: ClaimWorkDep) -> list[MissingEra]:
    """Claims whose payer answered a status inquiry that it paid them (F1) and whose ERA has not reached us: ask
    the payer (or the clearinghouse) for the remittance, and check the ERA enrollment."""
    async with uow:
        rows = await uow.statuses.missing_eras(principal)
    return [MissingEra.model_validate(row) for row in rows]


def _out(row: Any) -> InquiryOut:
    shown = InquiryOut.model_validate(row)
    shown.said = CATEGORY_WORDS.get((row.category or "")[:1]) if row.category else None
    return shown
