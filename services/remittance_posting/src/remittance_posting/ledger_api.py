"""The provider ledger over HTTP: PLB amounts (interest, recoupments, forward balances) as posted, and the money
payers took back, by the claim it concerns. HTTP only: the SQL is in `uow.reads` and `uow.ledger`."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from claimstream_platform.access import Audit, allow
from claimstream_platform.auth import Role
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from remittance_posting.api import PostingWorkDep

router = APIRouter()


class LedgerEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    remittance_id: UUID
    practice_id: UUID | None
    payee_npi: str
    reason: str
    reference: str
    amount: Decimal
    claim_id: UUID | None
    created_at: datetime


@router.get(
    "/v1/provider-adjustments", openapi_extra=allow(Role.BILLER, Role.READ_ONLY), response_model=list[LedgerEntry]
)
async def ledger(
    principal: CurrentPrincipal,
    uow: PostingWorkDep,
    practice_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LedgerEntry]:
    """The provider ledger, newest first: interest, recoupments and forward balances (PLB), each linked to the
    claim its reference names when known."""
    async with uow:
        rows = await uow.reads.ledger_page(principal, practice_id, limit)
    return [LedgerEntry.model_validate(row) for row in rows]


class TakeBack(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    payee_npi: str
    reference: str
    claim_id: UUID | None
    entries: int
    recovered: Decimal
    carried: Decimal
    open_forward_balance: Decimal
    first_at: datetime
    last_at: datetime


class Reversal(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: UUID
    remittance_id: UUID
    payer_claim_number: str | None
    amount: Decimal
    created_at: datetime


class Recoupments(BaseModel):
    provider_level: list[TakeBack]
    reversals: list[Reversal]


@router.get(
    "/v1/recoupments", openapi_extra=allow(Role.BILLER, Role.READ_ONLY, audit=Audit.PHI), response_model=Recoupments
)
async def recoupments(principal: CurrentPrincipal, uow: PostingWorkDep, practice_id: UUID | None = None) -> Recoupments:
    """Money the payer took back, by the claim it concerns: PLB recoveries and forward balances (with what is still
    open), and reversals no new payment followed."""
    async with uow:
        taken = await uow.ledger.take_backs(principal, practice_id)
        reversed_ = await uow.ledger.unpaid_reversals(principal, practice_id)
    return Recoupments(
        provider_level=[TakeBack.model_validate(row) for row in taken],
        reversals=[Reversal.model_validate(row) for row in reversed_],
    )
