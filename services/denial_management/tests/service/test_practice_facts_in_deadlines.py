"""A practice's own payer facts (charge capture's `PayerFactsOverridden`) move its cases' corrected-claim
deadlines and no one else's: the Blue plan (SIMBCX) gives 120 days to file; a practice whose contract gives 180
days, or its own corrected-claim window, gets that deadline for the cases opened after the override, while another
practice's same case keeps ours. On real PostgreSQL."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
from claimstream_platform.contracts.charge_capture import PayerFactsOverridden
from claimstream_platform.contracts.claim_submission import ClaimCreated
from denial_management.repository import DenialWork
from denial_testkit import PRACTICE, SERVED, TENANT, cases_of, created, deliver, denied, rejected

OTHER_PRACTICE = UUID("00000000-0000-0000-0000-0000000000d2")


def overridden(facts: dict[str, Any], practice: UUID = PRACTICE) -> PayerFactsOverridden:
    return PayerFactsOverridden(
        tenant_id=TENANT, practice_id=practice, payer_id="SIMBCX", effective_from=date(2026, 1, 1), facts=facts
    )


def blue(pcn: str, practice: UUID = PRACTICE) -> ClaimCreated:
    return created(pcn, payer="SIMBCX", place="10").model_copy(update={"practice_id": practice})


async def deadline_of(client: httpx.AsyncClient, auth: dict[str, str], claim: ClaimCreated) -> date:
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    return date.fromisoformat(case["deadline"])


async def test_a_practices_own_timely_filing_moves_its_rejections_deadline_only(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    own, other = blue("CS0000000971"), blue("CS0000000972", OTHER_PRACTICE)
    await deliver(make_uow, overridden({"timely_filing": "180 days"}), own, other)
    await deliver(make_uow, rejected(own), rejected(other).model_copy(update={"practice_id": OTHER_PRACTICE}))
    assert await deadline_of(client, auth, own) == SERVED + timedelta(days=180)  # the contract's
    assert await deadline_of(client, auth, other) == SERVED + timedelta(days=120)  # ours


async def test_a_practices_own_corrected_claim_window_moves_its_denials_deadline_only(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    own, other = blue("CS0000000973"), blue("CS0000000974", OTHER_PRACTICE)
    await deliver(make_uow, overridden({"corrected_claim": "60 days"}), own, other)
    for claim in (own, other):
        denial = denied(claim, ("CO", "16", "140"), remarks=("M77",))  # a correction, not an appeal
        await deliver(make_uow, denial.model_copy(update={"practice_id": claim.practice_id}))
    assert await deadline_of(client, auth, own) == SERVED + timedelta(days=60)
    assert await deadline_of(client, auth, other) == SERVED + timedelta(days=120)
