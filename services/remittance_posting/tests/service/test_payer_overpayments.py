"""The payers' credit balances: a claim the payer paid twice is listed with its age until the payer recovers the
second payment (a PLB WO naming the claim); a reversal and a corrected payment are no overpayment."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from claimstream_platform.db import UnitOfWork
from remittance_testkit import Line, Payment, claim_created, era
from test_remittance_api import accept, announce, upload


async def overpaid(client: httpx.AsyncClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/v1/payer-overpayments", headers=auth)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_claim_paid_twice_waits_for_the_payers_recoupment(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    twice, corrected, later = (claim_created(f"CS000000014{n}") for n in (1, 2, 3))
    await announce(make_uow, twice, corrected, later)
    await accept(make_uow, twice, "SIMCOM0141")
    first = Payment("CS0000000141", payer_claim_number="SIMCOM0141")
    await upload(client, auth, era(first, Payment("CS0000000142"), trace="P1"))
    assert await overpaid(client, auth) == []
    reversal = Payment(
        "CS0000000142", status="22", lines=[Line(charge=Decimal("-180"), adjustments=[("CO", "45", Decimal("-40"))])]
    )
    again = Payment("CS0000000141", payer_claim_number="SIMCOM0141")  # the payer paid the same claim a second time
    await upload(client, auth, era(again, reversal, Payment("CS0000000142"), trace="P2"))
    [found] = await overpaid(client, auth)
    assert (found["claim_id"], found["payer_id"], found["overpaid"]) == (str(twice.claim_id), "SIMCOM", "140.00")
    assert found["age_days"] == 0 and "recoupment" in found["next_step"]
    recovered = (("WO", "SIMCOM0141", Decimal("140")),)
    await upload(client, auth, era(Payment("CS0000000143"), trace="P3", plb=recovered))
    assert await overpaid(client, auth) == []
