"""One bad answer never stops the line: a 999 or 277CA that cannot be read or applied is quarantined with its
reason (listed without its content, for the tenant it answers or an installation operator, and discarded through
the API), the valid ones behind it apply, a
999 rejects only the claims it names, and a claim whose 277CA never comes raises one alert. On real PostgreSQL,
against the clearinghouse simulator's real code in-process."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
from claim_submission.gateway import SimulatorGateway
from claim_submission.inbound import documents
from claim_submission.inbound.watch import flag_overdue
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.repository import ClaimWork
from claims_testkit import (
    ENVELOPE,
    RECENT,
    TENANT,
    a_claim,
    charges,
    claims_of,
    enroll,
    events,
    handle,
)
from claimstream_devtools.testing import Keys
from sqlalchemy import text

MakeUow = Callable[[], ClaimWork]


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
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:ana')}"}
    response = await client.get("/v1/inbound", headers=operator)
    assert response.status_code == 200, response.text
    listed = response.json()["items"]
    reasons = {item["source"]: item["reason"] for item in listed}
    assert set(reasons) == {"test:malformed", "test:oversized"}
    assert "segment 1 (ISA)" in reasons["test:malformed"] and "(REF), element 2" in reasons["test:oversized"]
    assert "garbage" not in str(listed)  # listed without content
    tenant = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=TENANT)}"}
    assert (await client.get("/v1/inbound", headers=tenant)).json()["items"] == []  # 277CAs are no tenant's
    document = next(item["id"] for item in listed if item["source"] == "test:malformed")
    assert (await client.post(f"/v1/inbound/{document}/discard", headers=operator)).status_code == 204
    assert (await client.post(f"/v1/inbound/{document}/discard", headers=operator)).status_code == 404


async def test_a_document_that_fails_its_pass_is_quarantined_and_the_others_apply_one_by_one(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient
) -> None:
    """A pass goes in one transaction; one document that breaks it (here a stored row whose source names no
    interchange) sends the pass one document at a time, so that only the broken one is set aside."""
    coded = await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, gateway)
    async with make_uow() as uow:  # ahead of the 277CAs in the inbox
        await documents.store(uow, [("999", "test:no-interchange", "ISA*")])
        await uow.commit()
    assert await submit.read_statuses(make_uow, gateway) == 2
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    rows = await scalar_rows(make_uow, "SELECT source, status, reason FROM inbound WHERE kind = '999' ORDER BY id")
    assert [(row.status, row.reason) for row in rows if row.source == "test:no-interchange"] == [
        ("quarantined", "ValueError")
    ]


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


async def test_a_tenant_works_its_own_quarantined_999s_and_only_an_operator_reaches_the_277cas(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient, client: httpx.AsyncClient, keys: Keys
) -> None:
    """N1: a tenant's token once reached every tenant's documents and those of none (a 277CA can carry claims of
    many tenants); now it reaches the 999s of its own interchanges, and an installation operator reaches all."""
    await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, Answering(gateway, lambda _: "ISA*garbled"))  # our 999, quarantined
    async with make_uow() as uow:
        await documents.store(uow, [("277CA", "test:unreadable", "ISA*garbage~")])  # no tenant's
        await uow.commit()
    await documents.apply_pending(make_uow)
    ids = {row.kind: row.id for row in await scalar_rows(make_uow, "SELECT kind, id FROM inbound")}

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    biller = bearer(keys.issuer.issue(tenant_id=TENANT, roles=["biller"]))
    stranger = bearer(keys.issuer.issue(tenant_id=uuid4(), roles=["biller"]))
    operator = bearer(keys.issuer.issue_operator(subject="operator:ana"))
    assert [i["id"] for i in (await client.get("/v1/inbound", headers=biller)).json()["items"]] == [ids["999"]]
    assert (await client.get("/v1/inbound", headers=stranger)).json()["items"] == []
    assert (await client.post(f"/v1/inbound/{ids['277CA']}/discard", headers=biller)).status_code == 404
    assert (await client.post(f"/v1/inbound/{ids['999']}/discard", headers=stranger)).status_code == 404
    statuses = "SELECT status FROM inbound ORDER BY id"
    assert [row.status for row in await scalar_rows(make_uow, statuses)] == ["quarantined", "quarantined"]
    listed = (await client.get("/v1/inbound", headers=operator)).json()["items"]
    assert sorted(item["id"] for item in listed) == sorted(ids.values())
    assert (await client.post(f"/v1/inbound/{ids['277CA']}/discard", headers=operator)).status_code == 204
    assert (await client.post(f"/v1/inbound/{ids['999']}/retry", headers=biller)).status_code == 204
    assert [row.status for row in await scalar_rows(make_uow, statuses)] == ["pending", "discarded"]


async def test_an_operators_discard_of_a_tenants_999_is_in_that_tenants_access_log(
    make_uow: MakeUow, gateway: SimulatorGateway, simulator: httpx.AsyncClient, client: httpx.AsyncClient, keys: Keys
) -> None:
    """The discard changes the tenant's document and stages no event of theirs: the record still names the tenant
    (its auditor sees it), not the installation alone."""
    await a_claim(make_uow, simulator, batched=True)
    await submit.send(make_uow, Answering(gateway, lambda _: "ISA*garbled"))  # our 999, quarantined: TENANT's
    (document,) = [row.id for row in await scalar_rows(make_uow, "SELECT id FROM inbound")]
    operator = {"Authorization": f"Bearer {keys.issuer.issue_operator(subject='operator:ana')}"}
    assert (await client.post(f"/v1/inbound/{document}/discard", headers=operator)).status_code == 204
    records = "SELECT convert_from(payload, 'UTF8')::jsonb AS body FROM outbox WHERE topic = 'access.v1'"
    discards = [r.body for r in await scalar_rows(make_uow, records) if r.body["action"].endswith("{action}")]
    assert [(d["tenant_id"], d["actor"]) for d in discards] == [(str(TENANT), "operator:ana")]
