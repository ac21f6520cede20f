"""A payer our facts do not name is judged by its kind, as claim submission's scrubber judges it: claim submission
says the claim's payer kind (`ClaimCreated.payer_kind`), and a case of an unlisted Medicare payer's claim gets
Medicare's corrected-claim deadline, 12 months from the date of service (the scrubber's timely filing), not the
90 days of a payer of no kind. On real PostgreSQL."""

from collections.abc import Callable
from datetime import date

import httpx
from claimstream_platform.contracts.claim_submission import ClaimCreated
from denial_management.repository import DenialWork
from denial_testkit import SERVED, cases_of, created, deliver, denied, rejected


def unlisted_medicare(pcn: str) -> ClaimCreated:
    return created(pcn, payer="ANYMCR").model_copy(update={"payer_kind": "medicare"})


async def deadline_of(client: httpx.AsyncClient, auth: dict[str, str], claim: ClaimCreated) -> date:
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    return date.fromisoformat(case["deadline"])


async def test_an_unlisted_medicare_payers_case_gets_twelve_months_for_a_corrected_claim(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    denial_of, rejection_of = unlisted_medicare("CS0000000981"), unlisted_medicare("CS0000000982")
    await deliver(make_uow, denial_of, rejection_of)
    await deliver(make_uow, denied(denial_of, ("CO", "16", "140"), remarks=("M77",)), rejected(rejection_of))
    assert SERVED == date(2026, 11, 2)
    assert await deadline_of(client, auth, denial_of) == date(2027, 11, 2)  # a calendar year, as the scrubber
    assert await deadline_of(client, auth, rejection_of) == date(2027, 11, 2)


async def test_a_claim_announced_without_its_payer_kind_keeps_the_payer_of_no_kind(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """An event published before `payer_kind` was added still reads: the payer is read by its id alone."""
    claim = created("CS0000000983", payer="ANYMCR")
    assert claim.payer_kind is None
    await deliver(make_uow, claim, rejected(claim))
    assert await deadline_of(client, auth, claim) == date(2027, 1, 31)  # the default 90 days
