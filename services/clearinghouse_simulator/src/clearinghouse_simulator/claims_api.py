"""What the payer decided on one of the submitter's claims, looked up by the payer's claim number: how a test reads
the adjudication of a claim remitted on paper (HTTP only)."""

from decimal import Decimal
from typing import Annotated

from claimstream_platform.access import allow
from claimstream_platform.auth import CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR
from claimstream_platform.errors import NotFound
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter, Path
from pydantic import BaseModel

from clearinghouse_simulator.api import SimulatorWorkDep
from clearinghouse_simulator.results import LineResult, adjudication_from_json

router = APIRouter()


class AdjustmentOut(BaseModel):
    group: str
    reason: str  # CARC
    amount: Decimal


class LineOut(BaseModel):
    code: str
    charge: Decimal
    allowed: Decimal
    paid: Decimal
    adjustments: list[AdjustmentOut]
    remarks: list[str]  # RARC


class ClaimOut(BaseModel):
    payer_claim_number: str
    payer_id: str
    patient_control_number: str
    status: str  # accepted (waiting for a cycle), adjudicated, reversed
    remittance: str | None  # once adjudicated: electronic (in an 835) or paper (no 835)
    claim_status: str | None  # CLP02 once adjudicated
    paid: Decimal | None
    lines: list[LineOut]


@router.get(
    "/v1/claims/{payer_claim_number}",
    openapi_extra=allow(CLEARINGHOUSE_ACCOUNT, CLEARINGHOUSE_OPERATOR),
    response_model=ClaimOut,
)
async def claim(
    payer_claim_number: Annotated[str, Path(min_length=1, max_length=30)],
    principal: CurrentPrincipal,
    uow: SimulatorWorkDep,
) -> ClaimOut:
    """What the payer decided on one of the submitter's claims, by the payer's claim number (REF*1K of its
    277CA): how a test reads the adjudication of a claim remitted on paper, whose EOB it keys as its own 835."""
    async with uow:
        row = await uow.inbox.claim(principal.tenant_id, payer_claim_number)
    if row is None:
        raise NotFound("claim not found", field="payer_claim_number")
    decided = adjudication_from_json(row.adjudication) if row.adjudication else None
    return ClaimOut(
        payer_claim_number=row.payer_claim_number,
        payer_id=row.payer_id,
        patient_control_number=row.patient_control_number,
        status=row.status,
        remittance=row.remittance,
        claim_status=decided.status if decided else None,
        paid=row.paid,
        lines=[_line_out(result) for result in decided.lines] if decided else [],
    )


def _line_out(result: LineResult) -> LineOut:
    adjustments = [AdjustmentOut(group=a.group, reason=a.reason, amount=a.amount) for a in result.adjustments]
    code = result.paid_code or result.line.code
    return LineOut(
        code=code,
        charge=result.line.charge,
        allowed=result.allowed,
        paid=result.paid,
        adjustments=adjustments,
        remarks=result.remarks,
    )
