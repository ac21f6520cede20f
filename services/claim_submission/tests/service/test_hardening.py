"""One bad name, claim, interchange or credential never stops the line: each failure is quarantined with its
reason, the work behind it flows, and an operator can recover it through the API (the answers that cannot be
applied: test_hardening_answers). On real PostgreSQL, against the clearinghouse simulator's real code in-process."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from claim_submission.gateway import CredentialRefused, SimulatorGateway
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.outbound.submission_loop import SubmissionLoop
from claim_submission.repository import ClaimWork
from claims_testkit import (
    CLEARINGHOUSE_ACCOUNT,
    ENVELOPE,
    RECENT,
    a_claim,
    charges,
    claims_of,
    cycle,
    enroll,
    events,
    handle,
)
from claimstream_devtools.testing import Keys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

MakeUow = Callable[[], ClaimWork]


async def scalar(make_uow: MakeUow, sql: str, **params: Any) -> Any:
    async with make_uow() as uow:
        return (await uow.session.execute(text(sql), params)).scalar()


async def execute(make_uow: MakeUow, sql: str, **params: Any) -> None:
    async with make_uow() as uow:
        await uow.session.execute(text(sql), params)
        await uow.commit()


def patient_named(last: str, first: str = "Jose") -> Any:
    coded = charges(service_date=RECENT)
    return coded.model_copy(
        update={"patient": coded.patient.model_copy(update={"last_name": last, "first_name": first})}
    )


async def test_munoz_goes_out_as_munoz_and_is_accepted(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    await enroll(simulator)
    coded = patient_named("Muñoz", "José")
    await handle(make_uow, encounters.on_charge_captured, coded)
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    x12 = (await client.get(f"/v1/claims/{claim.id}/x12", headers=auth)).text
    assert "NM1*IL*1*MUNOZ*JOSE*" in x12


async def test_a_claim_that_cannot_be_written_returns_to_the_work_queue_and_the_rest_go_out(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    await enroll(simulator)
    broken, clean = charges(service_date=RECENT), charges(service_date=RECENT - timedelta(days=1))  # not duplicates
    for coded in (broken, clean):
        await handle(make_uow, encounters.on_charge_captured, coded)
    await execute(
        make_uow, "UPDATE claims SET content = content - 'patient' WHERE encounter_id = :e", e=broken.encounter_id
    )
    await cycle(make_uow, gateway)
    (stuck,) = await claims_of(make_uow, broken.encounter_id)
    (sent,) = await claims_of(make_uow, clean.encounter_id)
    assert (stuck.status, stuck.reasons[0]["rule"]) == ("held", "x12.unwritable")
    assert sent.status == "accepted"


async def test_a_409_for_other_content_is_quarantined_then_requeued_and_accepted(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)
    content = await scalar(make_uow, "SELECT content FROM submissions")
    # someone else's interchange under our control number (a restore that reused numbers)
    assert (await simulator.post("/v1/interchanges", content=content.replace("*185*", "*186*"))).status_code == 200
    await submit.send(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, claim.reasons[0]["rule"]) == ("held", "interchange.refused")
    quarantined = (await client.get("/v1/interchanges?status=refused", headers=auth)).json()["items"]
    assert [(i["claims"], "other content" in i["reason"]) for i in quarantined] == [(1, True)]
    number = quarantined[0]["interchange_number"]
    requeued = await client.post(f"/v1/interchanges/{number}/requeue", headers=auth)
    assert (requeued.status_code, requeued.json()["status"]) == (200, "requeued")
    assert (await client.post(f"/v1/interchanges/{number}/requeue", headers=auth)).status_code == 409
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted" and claim.interchange_number != number


async def test_a_refused_credential_stops_sending_until_the_token_is_replaced(
    make_uow: MakeUow,
    engine: AsyncEngine,
    simulator: httpx.AsyncClient,
    clearinghouse_keys: Keys,
    tmp_path: Path,
) -> None:
    coded = await a_claim(make_uow, simulator)
    token = tmp_path / "clearinghouse-token"
    token.write_text(
        clearinghouse_keys.issuer.issue(tenant_id=CLEARINGHOUSE_ACCOUNT, lifetime=timedelta(seconds=-60))
    )  # expired
    requests: list[str] = []
    transport = simulator._transport  # the simulator app itself, without the fixture's credential

    async def count(request: httpx.Request) -> None:
        requests.append(request.url.path)

    gateway = SimulatorGateway(
        httpx.AsyncClient(transport=transport, base_url="http://sim", event_hooks={"request": [count]}), token
    )
    loop = SubmissionLoop(engine_sessionmaker(engine), gateway, ENVELOPE, interval=1)
    with pytest.raises(CredentialRefused):
        await loop.run_once()
    assert len(requests) == 1  # one refusal, not a retry loop
    with pytest.raises(CredentialRefused):
        await loop.run_once()
    assert len(requests) == 1  # stopped: nothing is sent with a credential known to be refused
    token.write_text(clearinghouse_keys.issuer.issue(tenant_id=CLEARINGHOUSE_ACCOUNT))
    await loop.run_once()
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"


def engine_sessionmaker(engine: AsyncEngine) -> Any:
    return async_sessionmaker(engine, expire_on_commit=False)


async def test_a_failing_loop_is_reported_by_readyz(
    engine: AsyncEngine, client: httpx.AsyncClient, simulator: httpx.AsyncClient, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("not-a-token")
    gateway = SimulatorGateway(httpx.AsyncClient(transport=simulator._transport, base_url="http://sim"), token)
    loop = SubmissionLoop(engine_sessionmaker(engine), gateway, ENVELOPE, interval=0.05)
    runner = asyncio.create_task(loop.run())
    try:
        for _ in range(100):
            loops = (await client.get("/readyz")).json().get("loops", {})
            if SubmissionLoop.name in loops:
                break
            await asyncio.sleep(0.05)
    finally:
        loop.stop()
        await runner
    state = loops[SubmissionLoop.name]
    assert state["ok"] is False and "credential" in state["error"]


async def test_a_void_retried_sends_one_frequency_8_claim(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    coded = await a_claim(make_uow, simulator)
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    for _ in range(3):
        response = await client.post(f"/v1/claims/{claim.id}/void", json={"reason": "entered in error"}, headers=auth)
        assert response.status_code == 200
    voids = await scalar(
        make_uow, "SELECT count(*) FROM claims WHERE replaces_claim_id = :c AND frequency = '8'", c=claim.id
    )
    assert voids == 1
    assert [kind for kind, _ in await events(make_uow)].count("voided") == 1
