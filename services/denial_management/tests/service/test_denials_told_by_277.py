"""A payer's 277 says it denied a claim whose remittance has not come: a case opens at once (get the remittance to
learn why; its appeal window from the 277's date); a 277 that is no denial opens nothing; when the remittance's
own denial comes, its case carries the work on and the 277's is settled, so the money is worked once."""

from collections.abc import Callable
from datetime import timedelta

import httpx
from denial_management.repository import DenialWork
from denial_testkit import SERVED, cases_of, created, deliver, denied, told_denied


async def test_a_277_denial_opens_a_case_that_the_remittances_denial_settles(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = created("CS0000000977")
    pending = told_denied(claim).model_copy(update={"finding": "pending", "category": "P1"})
    await deliver(make_uow, claim, pending, told_denied(claim))
    (told,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert (told["category"], told["status"], told["codes"]) == ("denied_per_claim_status", "open", ["277.F2.1"])
    assert told["deadline"] is not None and told["deadline"] > str(SERVED + timedelta(days=1))
    await deliver(make_uow, denied(claim, ("CO", "197", "140"), remarks=("N54",)))
    by_category = {c["category"]: c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)}
    assert by_category["authorization"]["status"] == "open"
    assert (by_category["denied_per_claim_status"]["status"], by_category["denied_per_claim_status"]["resolution"]) == (
        "resolved",
        "closed_informational",
    )
