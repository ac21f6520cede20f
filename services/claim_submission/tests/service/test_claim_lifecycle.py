"""Claims on real PostgreSQL, sent to the clearinghouse simulator: created, held, sent once, acknowledged,
accepted or rejected, released, seen by their tenant only (corrected and voided: test_claim_corrections)."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
from claim_submission.gateway import SimulatorGateway
from claim_submission.intake import encounters
from claim_submission.outbound import submit
from claim_submission.repository import ClaimWork
from claims_testkit import (
    RECENT,
    TENANT,
    a_claim,
    charges,
    claims_of,
    cycle,
    events,
    handle,
    wait_out_backoff,
)
from claimstream_platform.auth import Kind, Role
from claimstream_platform.dates import business_date
from sqlalchemy import text


async def test_a_clean_claim_goes_out_once_and_is_accepted(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    coded = await a_claim(make_uow, simulator)
    await handle(make_uow, encounters.on_charge_captured, coded)  # a redelivered event changes nothing
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert (claim.status, claim.frequency, claim.total_charge) == ("ready", "1", Decimal("185.00"))
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted" and claim.payer_claim_number.startswith("SIMMCR")
    published = await events(make_uow)
    assert [kind for kind, _ in published] == ["created", "submitted", "acknowledged", "accepted"]
    assert published[0][1]["payer_kind"] == "medicare"  # downstream judges a payer it does not know by its kind
    await cycle(make_uow, gateway)  # nothing left to send
    async with make_uow() as uow:
        sent = (await uow.session.execute(text("SELECT count(*) FROM submissions"))).scalar()
    assert sent == 1
    detail = (await client.get(f"/v1/claims/{claim.id}", headers=auth)).json()
    assert [h["status"] for h in detail["history"]] == [
        "ready",
        "submitting",
        "submitted",
        "acknowledged",
        "received",
        "accepted",
    ]
    x12 = (await client.get(f"/v1/claims/{claim.id}/x12", headers=auth)).text
    assert f"CLM*{claim.patient_control_number}*185*" in x12


async def test_a_277ca_rejection_returns_the_claim_to_the_work_queue(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    coded = charges(service_date=RECENT)  # the member is not on the payer's roster
    await handle(make_uow, encounters.on_charge_captured, coded)
    await cycle(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "rejected" and claim.reasons[0]["rule"] == "277CA.A3.33"
    queue = (await client.get("/v1/claims?status=rejected", headers=auth)).json()["items"]
    assert [item["id"] for item in queue] == [str(claim.id)]
    assert (await events(make_uow))[-1][0] == "rejected"


async def test_a_send_that_failed_midway_is_retried_with_the_same_interchange_and_never_twice(
    make_uow: Callable[[], ClaimWork],
    gateway: SimulatorGateway,
    simulator: httpx.AsyncClient,
) -> None:
    coded = await a_claim(make_uow, simulator, batched=True)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("clearinghouse down", request=request)

    down = SimulatorGateway(httpx.AsyncClient(transport=httpx.MockTransport(unreachable), base_url="http://sim"))
    assert await submit.send(make_uow, down) == 0
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "submitting"
    async with make_uow() as uow:
        content = (await uow.session.execute(text("SELECT content FROM submissions"))).scalar_one()
    # the first attempt reached the clearinghouse after all, and only its answer was lost
    assert (await simulator.post("/v1/interchanges", content=content)).status_code == 200
    await wait_out_backoff(make_uow)
    assert await submit.send(make_uow, gateway) == 1  # the retry: "already received", not a second submission
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "submitted"
    await submit.read_statuses(make_uow, gateway)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    assert claim.status == "accepted"
    received = (await simulator.post("/v1/cycles")).json()
    assert received["claims_adjudicated"] == 1  # the payer has the claim once


async def test_release_needs_every_finding_fixed_or_acknowledged(
    make_uow: Callable[[], ClaimWork],
    client: httpx.AsyncClient,
    keys: Any,
) -> None:
    biller = keys.issuer.issue(tenant_id=TENANT, subject="person:robin", roles=[Role.BILLER], kind=Kind.PERSON)
    auth = {"Authorization": f"Bearer {biller}"}
    late = charges(service_date=business_date() - timedelta(days=400))
    await handle(make_uow, encounters.on_charge_captured, late)
    (claim,) = await claims_of(make_uow, late.encounter_id)
    refused = await client.post(f"/v1/claims/{claim.id}/release", json={}, headers=auth)
    assert refused.status_code == 422 and "timely-filing.expired" in refused.json()["detail"]
    released = await client.post(
        f"/v1/claims/{claim.id}/release", json={"acknowledge": ["timely-filing.expired"]}, headers=auth
    )
    assert released.status_code == 200 and released.json()["status"] == "ready"
    again = await client.post(f"/v1/claims/{claim.id}/release", json={}, headers=auth)
    assert again.status_code == 409
    history = (await client.get(f"/v1/claims/{claim.id}", headers=auth)).json()["history"]
    assert [(h["status"], h["actor"]) for h in history] == [("held", "system"), ("ready", "person:robin")]


async def test_other_tenants_see_no_claims(
    make_uow: Callable[[], ClaimWork],
    client: httpx.AsyncClient,
    keys: Any,
) -> None:
    coded = charges(service_date=RECENT)
    await handle(make_uow, encounters.on_charge_captured, coded)
    (claim,) = await claims_of(make_uow, coded.encounter_id)
    stranger = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    assert (await client.get(f"/v1/claims/{claim.id}", headers=stranger)).status_code == 404
    assert (await client.get("/v1/claims", headers=stranger)).json()["items"] == []
    assert (await client.post(f"/v1/claims/{claim.id}/void", json={"reason": "x"}, headers=stranger)).status_code == 404
