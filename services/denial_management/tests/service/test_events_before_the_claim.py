"""A claim's payments and denials come before the claim: ClaimCreated is claim submission's, PaymentPosted and
ClaimDenied remittance posting's, on other topics, so a consumer may see them in either order (and a dead letter
redriven later comes after what followed it). Each is kept for its claim and applied when the claim arrives, under
the claim's lock, so the outcome is the one in-order delivery gives. Issue 28 (scenario 7): a corrected claim's
payment that came first was lost (the case that asked for the correction never resolved), its denial opened a case
without the claim's dates and left the earlier case correcting, and a reversal that came after a lost payment left
the claim's payments negative."""

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
from claimstream_devtools.stand_ins import waiting_for_a_lock
from claimstream_platform.contracts.claim_submission import ClaimCreated
from claimstream_platform.messaging.consumer import Batched
from denial_management.consumers import SUBSCRIPTIONS
from denial_management.repository import DenialWork
from denial_testkit import SERVED, cases_of, created, deliver, denied, paid

MakeUow = Callable[[], DenialWork]


async def correcting(make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str], pcn: str) -> Any:
    """A claim denied for a wrong telehealth place, which the machine asks to correct: (claim, its case id)."""
    claim = created(pcn, place="10")  # the HMO takes telehealth as 02 only (its terms)
    await deliver(make_uow, claim, denied(claim, ("CO", "16", "140"), remarks=("M77",)))
    (case,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(claim.claim_id)]
    assert case["status"] == "correcting"
    return claim, case["id"]


def corrected(claim: ClaimCreated, pcn: str) -> ClaimCreated:
    return created(pcn, place="02", replaces=claim.claim_id, encounter=claim.encounter_id)


async def case(client: httpx.AsyncClient, auth: dict[str, str], case_id: str) -> tuple[str, str | None, str]:
    detail = (await client.get(f"/v1/denials/{case_id}", headers=auth)).json()
    return detail["status"], detail["resolution"], detail["recovered"]


async def test_the_corrected_claims_payment_before_the_claim_resolves_the_case_when_it_arrives(
    make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim, asked = await correcting(make_uow, client, auth, "CS0000000971")
    replacement = corrected(claim, "CS0000000972")
    await deliver(make_uow, paid(replacement, "95"))
    assert await case(client, auth, asked) == ("correcting", None, "0.00")  # nothing to apply it to yet
    await deliver(make_uow, replacement)
    assert await case(client, auth, asked) == ("resolved", "corrected_and_paid", "95.00")
    await deliver(make_uow, replacement)  # redelivered: applied once
    assert await case(client, auth, asked) == ("resolved", "corrected_and_paid", "95.00")


async def test_the_corrected_claims_denial_before_the_claim_hands_the_case_over_when_it_arrives(
    make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim, asked = await correcting(make_uow, client, auth, "CS0000000973")
    replacement = corrected(claim, "CS0000000974")
    await deliver(make_uow, denied(replacement, ("CO", "50", "140")), replacement)
    assert (await case(client, auth, asked))[:2] == ("resolved", "denied_again")
    (later,) = [c for c in await cases_of(client, auth) if c["claim_id"] == str(replacement.claim_id)]
    assert (later["status"], later["category"], later["service_date"]) == ("open", "medical_necessity", str(SERVED))


async def test_a_payment_applied_while_its_claim_arrives_waits_for_it(
    make_uow: MakeUow, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim, asked = await correcting(make_uow, client, auth, "CS0000000975")
    replacement = corrected(claim, "CS0000000976")
    arrival = SUBSCRIPTIONS[ClaimCreated]
    assert isinstance(arrival, Batched)
    async with make_uow() as first:
        await arrival.handler([SimpleNamespace(event=replacement)], first)
        second = asyncio.create_task(deliver(make_uow, paid(replacement, "95")))
        await waiting_for_a_lock(make_uow, second)  # applied beside the claim's arrival, it would find no claim
        await first.commit()
    await second
    assert await case(client, auth, asked) == ("resolved", "corrected_and_paid", "95.00")
