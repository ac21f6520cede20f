"""One bad name, document or answer never stops the line: each failure is quarantined with its reason, the
work behind it flows, and an operator can recover it through the API. On real PostgreSQL, against the
clearinghouse simulator's real code in-process."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from claim_submission.gateway import CredentialRefused, SimulatorGateway
from claim_submission.inbound import documents
from claim_submission.inbound.watch import flag_overdue
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.outbound.submission_loop import SubmissionLoop
from claim_submission.repository import ClaimWork
from claims_testkit import (
    CLEARINGHOUSE_ACCOUNT,
    ENVELOPE,
    RECENT,
    TENANT,
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


async def test_bad_277cas_are_quarantined_and_the_valid_ones_behind_them_apply(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    keys: Keys,
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    valid = (await simulator.get("/v1/inbox", params={"kind": "277CA"})).json()["items"][-1]["content"]  # payer's
    oversized = valid.replace("REF*1K*", "REF*1K*" + "9" * 60, 1)
    async with make_uow() as uow:  # as if collected ahead of the valid one
        await documents.store(
            uow, [("277CA", "test:malformed", "ISA*garbage~"), ("277CA", "test:oversized", oversized)]
        )
        await uow.commit()
    assert await submit.read_statuses(make_uow, gateway) == 2  # received, then accepted
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted" and len(claim.payer_claim_number) < 50
    operator = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT, roles=['operator'])}"}
    response = await client.get("/v1/inbound", headers=operator)
    assert response.status_code == 200, response.text
    listed = response.json()["items"]
    reasons = {item["source"]: item["reason"] for item in listed}
    assert set(reasons) == {"test:malformed", "test:oversized"}
    assert "segment 1 (ISA)" in reasons["test:malformed"] and "(REF), element 2" in reasons["test:oversized"]
    assert "garbage" not in str(listed)  # listed without content
    plain = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}
    assert (await client.get("/v1/inbound", headers=plain)).status_code == 403
    document = next(item["id"] for item in listed if item["source"] == "test:malformed")
    assert (await client.post(f"/v1/inbound/{document}/discard", headers=operator)).status_code == 204
    assert (await client.post(f"/v1/inbound/{document}/discard", headers=operator)).status_code == 404


class Answering:
    """The clearinghouse, answering every interchange with a 999 written by the test."""

    def __init__(self, real: SimulatorGateway, acknowledgment: Callable[[str], str]) -> None:
        self._real = real
        self._acknowledgment = acknowledgment

    async def submit(self, interchange: str) -> list[str]:
        return [self._acknowledgment(interchange)]

    async def documents(self, kind: str) -> list[Any]:
        return await self._real.documents(kind)

    async def done(self, document_id: int) -> None:
        await self._real.done(document_id)


def _999(accepted: str, rejected: str) -> Callable[[str], str]:
    def write(interchange: str) -> str:
        group = interchange.split("GS*HC*")[1].split("*")[4]
        body = (
            f"ST*999*0001*005010X231A1~AK1*HC*{group}*005010X222A1~AK2*837*{accepted}~IK5*A~AK2*837*{rejected}~"
            "IK3*NM1*7*2010AA*8~IK4*9*67*7~IK5*R*5~AK9*P*2*2*1~SE*10*0001~"
        )
        isa = (
            "ISA*00*          *00*          *ZZ*CLAIMSTREAMSIM *ZZ*CLAIMSTREAM    *261201*1200*^*00501*000000777*0*P*:~"
        )
        return f"{isa}GS*FA*CLAIMSTREAMSIM*CLAIMSTREAM*20261201*1200*777*X*005010X231A1~{body}GE*1*777~IEA*1*000000777~"

    return write


async def test_a_999_rejecting_one_transaction_set_of_two_rejects_only_its_claims(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    await enroll(simulator)
    first = charges(service_date=RECENT)
    other_provider = first.billing_provider.model_copy(update={"npi": "1497758544"})
    second = charges(service_date=RECENT - timedelta(days=1), billing_provider=other_provider)
    for coded in (first, second):
        await handle(make_uow, encounters.on_charge_captured, coded)
    await submit.batch(make_uow(), ENVELOPE)
    assert await submit.send(make_uow, Answering(gateway, _999(accepted="0001", rejected="0002"))) == 1
    (one,) = await claims_of(make_uow, first.encounter_id)
    (two,) = await claims_of(make_uow, second.encounter_id)
    assert one.status == "acknowledged"
    assert (two.status, [r["rule"] for r in two.reasons]) == ("rejected", ["999.IK3.8", "999.IK4.7"])


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


async def test_a_claim_without_a_277ca_in_time_raises_one_alert_and_is_listed(
    make_uow: MakeUow,
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, gateway)  # acknowledged; its 277CA never read
    later = datetime.now(UTC) + timedelta(days=4)
    assert await flag_overdue(make_uow(), after=timedelta(hours=72)) == 0  # not yet
    assert await flag_overdue(make_uow(), after=timedelta(hours=72), now=later) == 1
    assert await flag_overdue(make_uow(), after=timedelta(hours=72), now=later) == 0  # once per claim
    alerts = [payload for kind, payload in await events(make_uow) if kind == "acknowledgment-overdue"]
    assert [(a["encounter_id"], a["status"]) for a in alerts] == [(str(coded.encounter_id), "acknowledged")]
    listed = (await client.get("/v1/claims?overdue=true", headers=auth)).json()["items"]
    assert [item["encounter_id"] for item in listed] == [str(coded.encounter_id)]


async def test_a_999_that_cannot_be_read_is_kept_quarantined_and_the_claims_are_not_lost(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)
    assert await submit.send(make_uow, Answering(gateway, lambda _: "ISA*garbled")) == 1
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "submitted"  # sent, its 999 unreadable: neither lost nor guessed
    (stored,) = await scalar_rows(make_uow, "SELECT kind, status, reason, content FROM inbound")
    assert (stored.kind, stored.status, stored.content) == ("999", "quarantined", "ISA*garbled")
    assert "segment 1 (ISA)" in stored.reason


async def scalar_rows(make_uow: MakeUow, sql: str) -> list[Any]:
    async with make_uow() as uow:
        return list((await uow.session.execute(text(sql))).all())
