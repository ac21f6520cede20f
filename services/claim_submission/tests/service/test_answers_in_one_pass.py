"""A pass of 999s and 277CAs is applied in one transaction, and leaves what one document at a time leaves: in
arrival order, a correction the payer accepts settling the claim it corrects before the next document, and no
more documents at once than a pass may hold. On real PostgreSQL, against the simulator's real code in-process."""

from collections.abc import Callable
from typing import Any

import httpx
from claim_submission.gateway import SimulatorGateway
from claim_submission.inbound import documents
from claim_submission.intake import corrections, encounters
from claim_submission.outbound import submit
from claim_submission.repository import ClaimWork
from claims_testkit import ENVELOPE, a_claim, claims_of, cycle, events, handle, voided

MakeUow = Callable[[], ClaimWork]


async def replacement_sent(make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient) -> Any:
    """A claim the payer accepted, and its replacement sent: the encounter, and the payer's 277CA (A2) of the
    replacement, still in the inbox with the clearinghouse's."""
    first = await a_claim(make_uow, simulator)
    await cycle(make_uow, gateway)
    corrected = first.model_copy(update={"version": 2, "lines": [first.lines[0].model_copy(update={"code": "90834"})]})
    await handle(make_uow, corrections.on_charge_voided, voided(first))
    await handle(make_uow, encounters.on_charge_captured, corrected)
    await submit.batch(make_uow(), ENVELOPE)
    await submit.send(make_uow, gateway)
    payer = (await simulator.get("/v1/inbox", params={"kind": "277CA"})).json()["items"][-1]["content"]
    return first, payer


async def collected_then(make_uow: MakeUow, gateway: SimulatorGateway, source: str, content: str) -> None:
    """The inbox's 277CAs collected, then `content` stored behind them, and all applied in one pass."""
    await documents.collect(make_uow, gateway)
    async with make_uow() as uow:
        await documents.store(uow, [("277CA", source, content)])
        await uow.commit()
    await documents.apply_pending(make_uow)


async def test_a_correction_accepted_settles_its_claim_before_the_next_document_of_the_pass(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    """The replacement's 277CAs, then a late rejection of the claim it replaces: the late answer finds it settled."""
    first, payer = await replacement_sent(make_uow, gateway, simulator)
    original, replacement = await claims_of(make_uow, first.encounter_id)
    late = payer.replace(replacement.patient_control_number, original.patient_control_number)
    await collected_then(
        make_uow, gateway, "test:late", late.replace("STC*A2:20*", "STC*A7:254*").replace("*WQ*", "*U*")
    )
    original, replacement = await claims_of(make_uow, first.encounter_id)
    assert (original.status, replacement.status, replacement.frequency) == ("replaced", "accepted", "7")
    rejected = [e for kind, e in await events(make_uow) if kind == "rejected" and e["claim_id"] == str(original.id)]
    assert rejected == []


async def test_a_correction_accepted_then_rejected_in_one_pass_has_settled_its_claim(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    """The acceptance settled the claim the replacement replaces; the later rejection sends the replacement back
    to the work queue."""
    first, payer = await replacement_sent(make_uow, gateway, simulator)
    await collected_then(
        make_uow, gateway, "test:later", payer.replace("STC*A2:20*", "STC*A7:254*").replace("*WQ*", "*U*")
    )
    original, replacement = await claims_of(make_uow, first.encounter_id)
    assert (original.status, replacement.status) == ("replaced", "rejected")


async def test_a_pass_holds_at_most_its_size_of_documents_and_its_first_however_large(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        await documents.store(uow, [("277CA", f"test:{n}", "ISA*" + "x" * 96) for n in range(3)])  # 100 bytes each
        await uow.commit()
    for size, expected in ((50, ["test:0"]), (200, ["test:0", "test:1"]), (299, ["test:0", "test:1"])):
        async with make_uow() as uow:
            assert [d.source for d in await uow.documents.lock_pending(200, size)] == expected
