"""The payers' credit balances: a claim the payer paid twice is listed with its age until the payer has the second
payment back, sent on its request (recorded once, never more than is over) or recouped (a PLB WO naming the
claim); a reversal and a corrected payment are no overpayment."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from claimstream_platform.db import UnitOfWork
from remittance_testkit import Line, Payment, claim_created, era
from sqlalchemy import text
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
    await _sent_back_on_request(client, auth, make_uow, twice.claim_id)
    recovered = (("WO", "SIMCOM0141", Decimal("40")),)  # the payer recoups the rest
    await upload(client, auth, era(Payment("CS0000000143"), trace="P3", plb=recovered))
    assert await overpaid(client, auth) == []


async def _sent_back_on_request(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork], claim_id: UUID
) -> None:
    path = f"/v1/payer-overpayments/{claim_id}/refunds"
    too_much = {"payer_id": "SIMCOM", "amount": "140.01", "reference": "CHK-1001"}
    refused = await client.post(path, json=too_much, headers=auth)
    assert refused.status_code == 422 and "140.00" in refused.text
    part = {"payer_id": "SIMCOM", "amount": "100.00", "reference": "CHK-1001"}
    keyed = auth | {"Idempotency-Key": "refund-0141"}
    sent = await client.post(path, json=part, headers=keyed)
    again = await client.post(path, json=part, headers=keyed)
    assert sent.status_code == 201 and again.json() == sent.json()  # retried: sent back once
    [left] = await overpaid(client, auth)
    assert left["overpaid"] == "40.00"
    async with make_uow() as uow:
        rows = await uow.session.execute(text("SELECT event_type FROM outbox WHERE event_type LIKE '%payer-refund%'"))
        assert [row.event_type for row in rows] == ["claimstream.payer-refund.sent.v1"]
