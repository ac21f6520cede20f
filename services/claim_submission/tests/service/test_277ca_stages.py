"""A 277CA A1 is receipt, not acceptance: a claim is received (the clearinghouse's 277CA), accepted into
adjudication (the payer's, A2), or rejected at either stage, and a later rejection wins over an earlier
acceptance. On real PostgreSQL, against the simulator, which sends both 277CAs."""

from collections.abc import Callable

import httpx
from claim_submission.gateway import SimulatorGateway
from claim_submission.inbound import documents
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.repository import ClaimWork
from claims_testkit import RECENT, a_claim, charges, claims_of, cycle, events, handle
from sqlalchemy import text

MakeUow = Callable[[], ClaimWork]


async def test_a_claim_the_clearinghouse_received_and_the_payer_rejected_is_back_in_the_work_queue(
    make_uow: MakeUow, gateway: SimulatorGateway, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    coded = charges(service_date=RECENT)  # nobody enrolled this member with the payer
    await handle(make_uow, encounters.on_charge_captured, coded)
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, claim.reasons[0]["rule"]) == ("rejected", "277CA.A3.33")
    detail = (await client.get(f"/v1/claims/{claim.id}", headers=auth)).json()
    assert [h["status"] for h in detail["history"]][-2:] == ["received", "rejected"]
    queue = (await client.get("/v1/claims?status=rejected", headers=auth)).json()["items"]
    assert [item["id"] for item in queue] == [str(claim.id)]
    assert [kind for kind, _ in await events(make_uow)][-1] == "rejected"


async def test_a_later_payer_rejection_wins_over_an_earlier_acceptance(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, gateway)
    clearinghouse, payer = (await simulator.get("/v1/inbox", params={"kind": "277CA"})).json()["items"]
    await submit.read_statuses(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    # the payer, days later, rejects what it had accepted (a second 277CA for the same claim)
    rejection = payer["content"].replace("STC*A2:20*", "STC*A7:254*").replace("*WQ*", "*U*")
    async with make_uow() as uow:
        await documents.store(
            uow, [("277CA", "later:payer", rejection), ("277CA", "later:receipt", clearinghouse["content"])]
        )
        await uow.commit()
    await documents.apply_pending(make_uow)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, claim.reasons[0]["rule"]) == ("rejected", "277CA.A7.254")  # a late A1 does not undo it


async def test_a_pass_of_277cas_is_applied_in_one_transaction_in_arrival_order(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, gateway)
    assert await submit.read_statuses(make_uow, gateway) == 2  # the clearinghouse's A1, then the payer's A2
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    async with make_uow() as uow:
        history = await uow.session.execute(text("SELECT status FROM claim_history ORDER BY id"))
        applied = await uow.session.execute(
            text("SELECT count(*), count(DISTINCT applied_at) FROM inbound WHERE kind = '277CA' AND status = 'applied'")
        )
    assert [status for (status,) in history][-2:] == ["received", "accepted"]
    assert tuple(applied.one()) == (2, 1)  # now() is the transaction's start: one transaction for both
