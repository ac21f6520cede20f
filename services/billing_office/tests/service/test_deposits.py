"""Deposits matched to remittances on real PostgreSQL: a BAI2 file with one deposit that matches its 835, one
short of it and one nobody's gives the three lists; the same file twice adds nothing; a file that does not add up
changes nothing; past three business days each waiting one is announced once."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
from billing_office.clock import Clock
from billing_office.deposit_loop import DepositLoop
from billing_office.repository import BillingOfficeWork
from billing_office_testkit import OTHER_TENANT, PRACTICE, TENANT, bearer, consume
from claimstream_devtools.testing import Keys
from claimstream_platform.contracts.remittance_posting import RemittanceReceived
from claimstream_platform.db import outbox
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

D = Decimal
PAID_ON = date(2026, 11, 30)  # a Monday


@dataclass(frozen=True)
class Fixed(Clock):
    day: date = date(2026, 12, 4)

    def today(self) -> date:
        return self.day


def era(trace: str, total: str, method: str = "ACH") -> RemittanceReceived:
    return RemittanceReceived(
        tenant_id=TENANT,
        practice_id=PRACTICE,
        remittance_id=uuid4(),
        payer_id="SIMBCX",
        trace_number=trace,
        total=D(total),
        claims=3,
        balanced=True,
        method=method,
        paid_on=PAID_ON,
    )


def bai2(*credits: tuple[str, int]) -> str:
    """One account's file of credits (trace, cents), dated Dec 1 2026, with its totals."""
    details = [
        f"16,165,{cents},0,B{n},,ACH CREDIT HCCLAIMPMT TRN*1*{trace}*1311111111\\"
        for n, (trace, cents) in enumerate(credits)
    ]
    total = sum(cents for _, cents in credits)
    return "\n".join(
        ["01,BANK,DEMO,261201,0800,1,,,2/", "02,DEMO,BANK,1,261201,,USD,2/", "03,000011112222,USD/", *details]
        + [f"49,{total},{len(details) + 2}/", f"98,{total},1,{len(details) + 4}/", f"99,{total},1,{len(details) + 6}/"]
    )


async def test_one_matching_one_short_and_one_unknown_deposit_give_the_three_lists(
    make_uow: Callable[[], BillingOfficeWork], client: httpx.AsyncClient, keys: Keys, engine: AsyncEngine
) -> None:
    matching, short, check = era("EFT1001", "1250.40"), era("EFT1002", "980.00"), era("CHK77", "300.00", "CHK")
    waiting_alone = era("EFT1004", "45.10")
    await consume(make_uow, matching, short, check, waiting_alone)
    biller = bearer(keys, "biller") | {"Content-Type": "text/plain"}
    file = bai2(("EFT1001", 125040), ("EFT1002", 97000), ("EFT9999", 5500))
    imported = await client.post("/v1/deposits", content=file, headers=biller)
    assert imported.status_code == 201 and imported.json() == {"deposits": 3, "added": 3}, imported.text
    again = await client.post("/v1/deposits", content=file, headers=biller)
    assert again.json()["added"] == 0
    lists = (await client.get("/v1/deposits/reconciliation", headers=biller)).json()
    [matched] = lists["matched"]
    assert (matched["remittance_id"], matched["trace"], D(matched["amount"])) == (
        str(matching.remittance_id),
        "EFT1001",
        D("1250.40"),
    )
    waiting = {(row["trace"], D(row["amount"]), row["same_trace"]) for row in lists["eras_waiting"]}
    assert waiting == {("EFT1002", D("980.00"), "970.00"), ("EFT1004", D("45.10"), None)}  # the check is not awaited
    banked = {(row["trace"], D(row["amount"]), row["same_trace"]) for row in lists["deposits_waiting"]}
    assert banked == {("EFT1002", D("970.00"), "980.00"), ("EFT9999", D("55.00"), None)}
    await _alerted_once(engine, {short.remittance_id, waiting_alone.remittance_id})
    stranger = bearer(keys, "tenant-admin", tenant=OTHER_TENANT)
    assert (await client.get("/v1/deposits/reconciliation", headers=stranger)).json()["matched"] == []


async def _alerted_once(engine: AsyncEngine, eras: set[UUID]) -> None:
    """On Friday Dec 4 the 835s of Monday Nov 30 have waited four banking days: each announced, once however often
    the loop passes; the deposits of Dec 1 (three days) on Monday Dec 7."""
    for today in (date(2026, 12, 4), date(2026, 12, 4), date(2026, 12, 7)):
        await DepositLoop(async_sessionmaker(engine), clock=Fixed(day=today), interval=60).run_once()
        if today.day == 4:
            assert {(alert["kind"], UUID(alert["item_id"])) for alert in await _alerts(engine)} == {
                ("remittance_without_deposit", era) for era in eras
            }
    alerts = await _alerts(engine)
    assert sorted((alert["kind"], alert["trace_number"], alert["business_days"]) for alert in alerts) == [
        ("deposit_without_remittance", "EFT1002", 4),
        ("deposit_without_remittance", "EFT9999", 4),
        ("remittance_without_deposit", "EFT1002", 4),
        ("remittance_without_deposit", "EFT1004", 4),
    ]


async def _alerts(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as db:
        rows = (await db.execute(select(outbox.c.event_type, outbox.c.payload))).all()
    return [json.loads(row.payload) for row in rows if row.event_type == "claimstream.deposit.mismatch.v1"]


async def test_a_bank_file_that_does_not_add_up_changes_nothing(client: httpx.AsyncClient, keys: Keys) -> None:
    biller = bearer(keys, "biller") | {"Content-Type": "text/plain"}
    wrong = bai2(("EFT2001", 100)).replace("49,100,", "49,101,")
    refused = await client.post("/v1/deposits", content=wrong, headers=biller)
    assert refused.status_code == 422 and "record 5, 49-01" in refused.json()["errors"][0]["reason"], refused.text
    lists = (await client.get("/v1/deposits/reconciliation", headers=bearer(keys, "biller"))).json()
    assert all(row["trace"] != "EFT2001" for row in lists["deposits_waiting"])
    csv = await client.post(
        "/v1/deposits",
        content="date,amount,trace\n2026-12-01,12.00,EFT2002\n",
        headers=biller | {"Content-Type": "text/csv"},
    )
    assert csv.status_code == 201 and csv.json()["added"] == 1
