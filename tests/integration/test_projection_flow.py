"""Black box, read models: a visit billed and paid through the stack shows in the projection within seconds, with
its amounts and the timeline of every service's events; it is another tenant's 404; and a rebuild from the topics
reproduces the live model, counts and money, while the old model serves until the swap."""

import asyncio
import json
import time
from decimal import Decimal
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.contracts import claim_submission
from claimstream_platform.messaging.kafka import new_producer
from kafka_reader import records_about
from projection.rebuild import rebuild
from projection.settings import ProjectionSettings
from test_encounter_to_claim import claim_for_a_visit
from test_remittance_flow import postings_of


async def projected(services: Services, headers: dict[str, str], claim_id: str, seen: str) -> dict[str, Any]:
    """The projection's claim once its timeline holds an event of type `seen` (bounded wait)."""
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as client:
        while time.monotonic() < deadline:
            response = await client.get(f"/v1/claims/{claim_id}")
            if response.status_code == 200 and seen in [e["type"] for e in response.json()["timeline"]]:
                found: dict[str, Any] = response.json()
                return found
            await asyncio.sleep(0.5)
    return {}


async def settled(services: Services, headers: dict[str, str], claim_id: str, quiet: float = 5) -> dict[str, Any]:
    """The projection's claim once its timeline has not changed for `quiet` seconds (bounded): a line denial in
    the payment brings denial management's events moments after it (two hops, each resting a second after a batch),
    and the rebuild is compared with all of it."""
    deadline, last, since = time.monotonic() + 60, None, time.monotonic()
    async with httpx.AsyncClient(base_url=services.projection, headers=headers, timeout=10) as client:
        while time.monotonic() < deadline:
            shown: dict[str, Any] = (await client.get(f"/v1/claims/{claim_id}")).json()
            ids = [e["event_id"] for e in shown["timeline"]]
            if ids != last:
                last, since = ids, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return shown
            await asyncio.sleep(0.5)
    raise AssertionError("the claim's timeline kept changing")


async def test_a_paid_visit_shows_with_its_timeline_and_money_and_a_rebuild_reproduces_it(
    services: Services, stack: StackUnderTest, keys: Keys
) -> None:
    tenant = uuid4()
    claim, _ = await claim_for_a_visit(services, keys, tenant, first_name="Maëlle", last_name="O'Brien-Løvik")
    assert claim.get("status") == "accepted", claim
    headers = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=tenant)}"}
    (posting,) = await postings_of(services, headers, claim["id"])
    assert await projected(services, headers, claim["id"], "payment.posted"), "the payment never reached the projection"
    shown = await settled(services, headers, claim["id"])
    assert Decimal(shown["charged"]) == Decimal(claim["total_charge"])
    assert Decimal(shown["paid"]) == Decimal(posting["paid"])
    assert Decimal(shown["patient_responsibility"]) == Decimal(posting["patient_responsibility"])
    assert {e["source"] for e in shown["timeline"]} >= {"charge-capture", "claim-submission", "remittance-posting"}
    assert "Maëlle" not in str(shown)  # no names in the read model
    other = {"Authorization": f"Bearer {keys.issuer.issue(tenant_id=uuid4())}"}
    async with httpx.AsyncClient(base_url=services.projection, timeout=10) as client:
        assert (await client.get(f"/v1/claims/{claim['id']}", headers=other)).status_code == 404
        live_aging = (await client.get("/v1/ar/aging", headers=headers, params={"by": "provider"})).json()

    await claimed_by_a_stranger(stack, claim["id"])
    roles = services.roles["projection"]  # as an installation runs it: the owner, the across role, the app role
    settings = ProjectionSettings(
        service_name="projection",
        database_url=roles.app_url,
        migration_database_url=roles.owner_url,
        across_tenants_database_url=roles.across_url,
        database_schema="projection",
        kafka_bootstrap_servers=stack.bootstrap_servers,
        auth_public_key_file=keys.public_key_file,
    )
    await rebuild(settings, show=False)
    rebuilt = await projected(services, headers, claim["id"], "payment.posted")
    for name in ("status", "charged", "paid", "contractual", "patient_responsibility", "outstanding"):
        assert rebuilt[name] == shown[name], name
    assert [e["event_id"] for e in rebuilt["timeline"]] == [e["event_id"] for e in shown["timeline"]]
    async with httpx.AsyncClient(base_url=services.projection, timeout=10) as client:
        assert (await client.get("/v1/ar/aging", headers=headers, params={"by": "provider"})).json() == live_aging
    assert await durable_and_indexed(stack, "projection"), "the replay's scratch settings reached the live tables"


async def claimed_by_a_stranger(stack: StackUnderTest, claim_id: str) -> None:
    """The claim's creation again on its topic under a tenant that does not own its practice (new event id): the
    live consumer dead-letters it, and so must the replay leave it out (it folded the claim twice and failed)."""
    (created,) = await records_about(
        stack.bootstrap_servers, claim_submission.TOPIC, claim_id, claim_submission.ClaimCreated.event_type
    )
    stranger = str(uuid4())
    payload = json.loads(created.value or b"{}") | {"tenant_id": stranger}
    swapped = {"ce_id": str(uuid4()).encode(), "ce_tenantid": stranger.encode()}
    headers = [(name, swapped.get(name, value)) for name, value in created.headers]
    producer = new_producer(stack.bootstrap_servers, client_id="a-stranger")
    await producer.start()
    try:
        await producer.send_and_wait(created.topic, json.dumps(payload).encode(), key=created.key, headers=headers)
    finally:
        await producer.stop()


async def durable_and_indexed(stack: StackUnderTest, schema: str) -> bool:
    """The live read model after a rebuild: its tables still logged and still holding their secondary indexes
    (the replay strips both from its own scratch schema only)."""
    connection = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        unlogged = await connection.fetchval(
            "SELECT count(*) FROM pg_tables t JOIN pg_class c ON c.relname = t.tablename "
            "AND c.relnamespace = t.schemaname::regnamespace WHERE t.schemaname = $1 AND c.relpersistence = 'u'",
            schema,
        )
        indexes = {
            row[0] for row in await connection.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = $1", schema)
        }
    finally:
        await connection.close()
    return unlogged == 0 and {"ix_claims_practice", "ix_facts_encounter", "ix_ledger_encounter"} <= indexes
