"""Claim status inquiries on real PostgreSQL, the payer a stand-in that answers each 276 with a 277: an accepted
claim with no remittance past the payer's time is asked about; F1 (paid) with no ERA puts it on the missing-ERA
list until its remittance comes, and on its timeline; A4 (not found) sends it back to the work queue; a biller's
own inquiry of a pending claim is answered and changes nothing else; an outage leaves the inquiry for later."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from claim_submission.inbound import payments
from claim_submission.inbound.claim_status import Asked
from claim_submission.inbound.status_loop import StatusInquiryLoop, request_due
from claim_submission.intake import encounters
from claim_submission.repository import ClaimWork
from claims_testkit import RECENT, TENANT, answered_277, charges, claims_of, events, handle
from claimstream_platform.contracts.remittance_posting import PaymentPosted
from claimstream_platform.errors import TransientError
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.status import read_status
from claimstream_platform.x12.status_model import Status
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

PAID = Status("F1", "65", "PR", effective=date(2026, 11, 20), paid=Decimal("88.10"), paid_on=date(2026, 11, 20))


class Payer:
    """Answers every 276 with one status for the claim it names (or is away)."""

    def __init__(self, status: Status | None) -> None:
        self.status, self.asked = status, 0

    async def ask(self, interchange: str) -> list[str]:
        self.asked += 1
        if self.status is None:
            raise TransientError("the clearinghouse is away", retry_after=5)
        parsed = parse_interchange(interchange)
        [claim] = read_status(parsed.groups[0].transactions[0], parsed.delimiters)
        return [answered_277(claim.trace, self.status)]


async def accepted_long_ago(make_uow: Callable[[], ClaimWork], engine: AsyncEngine, day: date) -> Any:
    visit = charges(service_date=day)
    await handle(make_uow, encounters.on_charge_captured, visit)
    async with engine.begin() as db:
        moved = "UPDATE claims SET status = 'accepted', updated_at = now() - interval '40 days' WHERE encounter_id = :e"
        await db.execute(text(moved), {"e": visit.encounter_id})
        await db.execute(text("UPDATE status_watch SET since = now() - interval '1 year'"))  # watched since
    [claim] = await claims_of(make_uow, visit.encounter_id)
    return claim


def loop(engine: AsyncEngine, payer: Payer) -> StatusInquiryLoop:
    return StatusInquiryLoop(
        async_sessionmaker(engine), payer, Asked("CSBILLING", "TEST", "CLAIMSTREAMSIM"), None, interval=60
    )


async def test_a_silent_claim_paid_per_its_277_is_a_missing_era_until_its_remittance_comes(
    make_uow: Callable[[], ClaimWork], engine: AsyncEngine, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    claim = await accepted_long_ago(make_uow, engine, RECENT)
    away = Payer(None)
    assert await request_due(async_sessionmaker(engine)) >= 1
    try:
        await loop(engine, away).ask_one()
    except TransientError:
        pass  # the loop logs it; the inquiry waits for a pass after its lease
    assert await request_due(async_sessionmaker(engine)) == 0  # asked about already: not asked twice
    async with engine.begin() as db:
        await db.execute(text("UPDATE status_inquiries SET asked_at = now() - interval '1 hour'"))
    payer = Payer(PAID)
    while await loop(engine, payer).ask_one():
        pass
    [missing] = (await client.get("/v1/missing-eras", headers=auth)).json()
    assert (missing["claim_id"], Decimal(missing["paid"])) == (str(claim.id), Decimal("88.10"))
    shown = (await client.get(f"/v1/claims/{claim.id}", headers=auth)).json()
    assert shown["status"] == "accepted" and shown["history"][-1]["detail"]["finding"] == "paid_without_era"
    reported = [e for kind, e in await events(make_uow) if kind == "status-reported"]
    assert any(e["claim_id"] == str(claim.id) and e["finding"] == "paid_without_era" for e in reported)
    await handle(make_uow, payments.on_payment_posted, _posted(claim))
    assert (await client.get("/v1/missing-eras", headers=auth)).json() == []


async def test_a_claim_the_payer_cannot_find_goes_back_to_the_work_queue_and_a_pending_one_stays(
    make_uow: Callable[[], ClaimWork], engine: AsyncEngine, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    lost = await accepted_long_ago(make_uow, engine, RECENT.replace(day=1))
    await request_due(async_sessionmaker(engine))
    while await loop(engine, Payer(Status("A4", "35", "PR"))).ask_one():
        pass
    [held] = await claims_of(make_uow, lost.encounter_id)
    assert (held.status, [r["rule"] for r in held.reasons]) == ("held", ["claim-status.not-found"])
    pending = await accepted_long_ago(make_uow, engine, RECENT.replace(day=2))
    biller = auth
    asked = await client.post(f"/v1/claims/{pending.id}/status-inquiries", headers=biller)
    assert asked.status_code == 202 and asked.json()["asked_at"] is None, asked.text
    while await loop(engine, Payer(Status("P1", "20", "PR"))).ask_one():
        pass
    [inquiry] = (await client.get(f"/v1/claims/{pending.id}/status-inquiries", headers=biller)).json()
    assert (inquiry["category"], inquiry["finding"], inquiry["said"]) == ("P1", "pending", "pending at the payer")
    [still] = await claims_of(make_uow, pending.encounter_id)
    assert still.status == "accepted"
    ready = (await client.get("/v1/claims", params={"status": "held"}, headers=biller)).json()["items"]
    assert str(lost.id) in {c["id"] for c in ready}


def _posted(claim: Any) -> PaymentPosted:
    ids = {"claim_id": claim.id, "patient_control_number": claim.patient_control_number, "payer_id": "SIMMCR"}
    money = {
        "charge": Decimal("185.00"),
        "paid": Decimal("88.10"),
        "allowed": None,
        "patient_responsibility": Decimal(0),
    }
    return PaymentPosted(
        tenant_id=TENANT,
        practice_id=claim.practice_id,
        remittance_id=UUID(int=7),
        **ids,
        **money,
        payer_claim_number=None,
        claim_status="1",
        outcome="paid",
        adjustments=[],
        remarks=[],
        lines=[],
        paid_on=date(2026, 11, 20),
    )
