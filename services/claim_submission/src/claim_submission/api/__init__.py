"""Claim submission's HTTP routers: the claims and the work queue (`claims`), recovery (`operations`), the
tenant's submitter (`submitter`). Each route works in the service's own unit of work (`ClaimWorkDep`)."""

from typing import Annotated

from claimstream_platform.web import get_unit_of_work
from fastapi import Depends

from claim_submission.repository import ClaimWork

ClaimWorkDep = Annotated[ClaimWork, Depends(get_unit_of_work)]
