"""The payee's bank, as the simulator plays it: a day's BAI2 file of the EFTs the payers sent the submitter's
practices (bank.py). The submitter's own token reads its own payments only."""

from datetime import UTC, date, datetime

from claimstream_platform.access import allow
from claimstream_platform.auth import CLEARINGHOUSE_ACCOUNT
from claimstream_platform.web import CurrentPrincipal
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from clearinghouse_simulator import bank
from clearinghouse_simulator.api import SimulatorWorkDep

router = APIRouter(tags=["bank"])


@router.get("/v1/bank/bai2", openapi_extra=allow(CLEARINGHOUSE_ACCOUNT), response_class=PlainTextResponse)
async def bank_file(principal: CurrentPrincipal, uow: SimulatorWorkDep, day: date) -> PlainTextResponse:
    """The day's deposits (the 835s whose payment date, BPR16, is that day) as the bank reports them."""
    async with uow:
        contents = await uow.inbox.remittances_around(principal.tenant_id, day)
    text = bank.bai2(bank.efts(contents), day, datetime.now(UTC))
    return PlainTextResponse(text)
