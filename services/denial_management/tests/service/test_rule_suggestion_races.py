"""A pattern's denials applied at once: one 835 denies three claims the same way, and remittance posting announces
each denial on the partition of its claim, so three transactions count the pattern together. Each must count the
others' cases, or none of them reaches the count and nothing is suggested (seen: 4 tries of 6 through the API)."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from claimstream_devtools.stand_ins import waiting_for_a_lock
from denial_management import handlers
from denial_management.repository import DenialWork
from denial_testkit import created, deliver, denied

AUTHORIZATION_DENIAL = ("CO", "197", "140")


async def test_two_denials_of_a_pattern_counted_at_once_see_each_other(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """The second and third denials counted by two transactions at once: the later waits for the earlier to
    commit, counts its case, and suggests the rule (beside it, each would count two)."""
    first_claim, second_claim, third_claim = claims = [created(f"CS00000028{n}", payer="RACEPAYER") for n in range(3)]
    await deliver(make_uow, *claims, denied(first_claim, AUTHORIZATION_DENIAL))
    async with make_uow() as first:
        await handlers.on_claim_denied(denied(second_claim, AUTHORIZATION_DENIAL), first)
        third = asyncio.create_task(deliver(make_uow, denied(third_claim, AUTHORIZATION_DENIAL)))
        await waiting_for_a_lock(make_uow, third)  # counted beside the second, the third would miss it here
        await first.commit()
    await third
    (rule,) = await suggested(client, auth, "RACEPAYER")
    assert (rule["carc"], rule["claims"], rule["amount"]) == ("CO-197", 3, "420.00")


async def test_three_denials_of_one_remittance_applied_at_once_suggest_the_rule_every_time(
    make_uow: Callable[[], DenialWork], client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """Twenty remittances, each denying three claims of its own payer as CO-197, their denials applied at once as
    the consumer's partitions apply them: every payer's pattern is suggested, with its three claims."""
    payers = [f"RACE{n:02d}" for n in range(20)]
    for payer in payers:
        claims = [created(f"CS0000{payer}{n}", payer=payer) for n in range(3)]
        await deliver(make_uow, *claims)
        await asyncio.gather(*(deliver(make_uow, denied(claim, AUTHORIZATION_DENIAL)) for claim in claims))
    found = {s["payer_id"]: s["claims"] for s in await suggested(client, auth)}
    assert found == dict.fromkeys(payers, 3)


async def suggested(client: httpx.AsyncClient, auth: dict[str, str], payer: str | None = None) -> list[Any]:
    response = await client.get("/v1/scrub-rule-suggestions", headers=auth)
    assert response.status_code == 200, response.text
    return [s for s in response.json()["items"] if payer is None or s["payer_id"] == payer]
