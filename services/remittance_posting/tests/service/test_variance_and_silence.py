"""Underpayments, downcodes and silent payers on real PostgreSQL: what no denial shows, made visible."""

from collections.abc import Callable
from decimal import Decimal
from uuid import uuid4

import httpx
from claimstream_devtools.testing import StackUnderTest, register_practices
from claimstream_platform.db import UnitOfWork
from remittance_posting.silence_loop import report_silent_payers
from remittance_testkit import PRACTICE, Line, Payment, claim_created, era
from sqlalchemy import text
from test_remittance_api import accept, announce, outbox_types, upload

RATES = {
    "practice_id": str(PRACTICE),
    "effective_from": "2026-01-01",
    "rates": [
        {"code": "90837", "amount": "150.00"},
        {"code": "90834", "amount": "110.00"},
        {"code": "90791", "amount": "170.00"},
    ],
}


async def test_an_underpaid_line_and_a_downcoded_one_each_open_a_variance_item(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    stored = await client.put("/v1/contract-rates/SIMCOM", json=RATES, headers=auth)
    assert stored.status_code == 200 and len(stored.json()) == 3, stored.text
    underpaid, downcoded, at_rate = (
        claim_created("CS0000000301"),
        claim_created("CS0000000302"),
        claim_created("CS0000000303", lines=(("90791", ()),)),
    )
    await announce(make_uow, underpaid, downcoded, at_rate)
    body = era(
        Payment("CS0000000301"),  # allowed 140 against 150
        Payment(
            "CS0000000302",
            lines=[Line(code="90834", billed=("90837", "95"), adjustments=[("CO", "45", Decimal("70"))])],
        ),
        Payment("CS0000000303", lines=[Line(code="90791", modifiers=(), adjustments=[("CO", "45", Decimal("10"))])]),
    )
    await upload(client, auth, body)
    found = (await client.get("/v1/variances", headers=auth)).json()["items"]
    assert sorted(
        (
            v["claim_id"],
            v["kind"],
            v["code"],
            v["paid_code"],
            v["expected"],
            v["allowed"],
            v["difference"],
            v["reasons"],
        )
        for v in found
    ) == sorted(
        [
            (str(underpaid.claim_id), "underpaid", "90837", "90837", "150.00", "140.00", "10.00", ["CO-45"]),
            (str(downcoded.claim_id), "downcoded", "90837", "90834", "150.00", "110.00", "40.00", ["CO-45"]),
        ]
    )
    assert (await outbox_types(make_uow)).count("claimstream.payment.variance-detected.v1") == 2


async def test_a_silent_payer_is_reported_once_and_its_silence_ends_with_a_payment(
    client: httpx.AsyncClient, auth: dict[str, str], make_uow: Callable[[], UnitOfWork]
) -> None:
    created = claim_created("CS0000000311")
    await announce(make_uow, created)
    await accept(make_uow, created, "SIMCOM0311")
    async with make_uow() as uow:
        await uow.session.execute(text("UPDATE known_claims SET accepted_at = now() - interval '40 days'"))
        await uow.commit()
    for expected in (1, 0):  # reported once, not again while it lasts
        async with make_uow() as uow:
            assert await report_silent_payers(uow, days=30) == expected
            await uow.commit()
    assert (await outbox_types(make_uow)).count("claimstream.payer.silent.v1") == 1
    (silence,) = (await client.get("/v1/payer-silence", headers=auth)).json()["items"]
    assert (silence["payer_id"], silence["claims_waiting"], silence["ended_at"]) == ("SIMCOM", 1, None)
    await upload(client, auth, era(Payment("CS0000000311")))
    (ended,) = (await client.get("/v1/payer-silence", headers=auth)).json()["items"]
    assert ended["ended_at"] is not None
    async with make_uow() as uow:
        assert await report_silent_payers(uow, days=30) == 0  # paid now: not silent


async def test_contract_rates_for_another_tenants_practice_are_refused_as_for_one_that_never_existed(
    client: httpx.AsyncClient, auth: dict[str, str], stack: StackUnderTest, make_uow: Callable[[], UnitOfWork]
) -> None:
    """Issue 26: a tenant-wide administrator's token cannot file rates under another tenant's practice."""
    theirs, never = uuid4(), uuid4()
    await register_practices(stack, {uuid4(): [theirs]})
    answers = [
        await client.put("/v1/contract-rates/SIMCOM", json={**RATES, "practice_id": str(p)}, headers=auth)
        for p in (theirs, never)
    ]
    assert [(a.status_code, a.json()["errors"]) for a in answers] == [
        (404, [{"field": "practice_id", "reason": "practice not found"}])
    ] * 2
    async with make_uow() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM contract_rates")) == 0
    assert (await client.put("/v1/contract-rates/SIMCOM", json=RATES, headers=auth)).status_code == 200
