"""A tenant of the document scenarios (12, 14, 15): its practices set up through charge capture's API, its visits
posted as an EHR posts them, and its claims as the services made them, read as the installation reads its own
tables. Its patients are on no payer's roster: the simulator pays none of its claims, the 835s that pay them are the
test's."""

import asyncio
import base64
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID, uuid4

import asyncpg
import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys
from claimstream_platform.dates import business_date
from clearinghouse_simulator.practices import PracticePlan, plan_practice
from clearinghouse_simulator.workload import encounter
from clearinghouse_simulator.workload_mix import CHARGES

T = TypeVar("T")
TESTING = "psychological_testing"  # wants an authorization first: left out, so that every claim goes out as made


@dataclass
class Tenant:
    id: UUID
    keys: Keys
    plans: list[PracticePlan] = field(default_factory=list)

    def headers(self, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys.issuer.issue(tenant_id=self.id, roles=list(roles))}"}


async def new_tenant(services: Services, keys: Keys, *, seed: int, practices: int, payer: str) -> Tenant:
    """A tenant with `practices` practices (each its own billing NPI), their clinicians and one payer."""
    tenant, rng = Tenant(uuid4(), keys), random.Random(seed)
    entries = [{"code": code, "amount": amount} for code, amount in CHARGES.items()]
    fees = {"effective_from": f"{business_date().year - 1}-01-01", "entries": entries}
    async with httpx.AsyncClient(
        base_url=services.charge_capture, headers=tenant.headers("tenant-admin"), timeout=30
    ) as admin:
        for index in range(practices):
            plan = plan_practice(rng, index, patients=20)
            plan.id = (await ok(admin.post("/v1/practices", json=plan.body)))["id"]
            for provider in plan.providers:
                await ok(admin.post(f"/v1/practices/{plan.id}/providers", json=provider))
            (listed,) = [p for p in plan.payers if p["payer_id"] == payer]
            await ok(admin.post(f"/v1/practices/{plan.id}/payers", json=listed))
            await ok(admin.put(f"/v1/practices/{plan.id}/fee-schedules/{payer}", json=fees))
            tenant.plans.append(plan)
    return tenant


async def post_visits(services: Services, tenant: Tenant, *, count: int, payer: str, seed: int) -> None:
    """Visits to `payer` (no other coverage), spread over the practices, posted in batches until `count` of them
    are coded (charge capture holds some for review: audio-only visits this payer does not cover, and the like)."""
    rng, today, coded = random.Random(seed), business_date(), 0
    async with httpx.AsyncClient(
        base_url=services.charge_capture, headers=tenant.headers("ehr-integration"), timeout=60
    ) as ehr:
        while coded < count:
            visits = list[dict[str, Any]]()
            while len(visits) < count - coded:
                body = encounter(rng, rng.choice(tenant.plans), today=today, defect_share=0)
                if (
                    body["coverage"]["payer_id"] == payer
                    and not body["other_coverages"]
                    and body["service"]["kind"] != TESTING
                ):
                    visits.append(body)
            result = await ok(ehr.post("/v1/encounters/batch", json={"encounters": visits}))
            coded += sum(1 for item in result["results"] if (item["encounter"] or {}).get("status") == "coded")


async def ok(call: Awaitable[httpx.Response]) -> Any:
    response = await call
    assert response.status_code in (200, 201), response.text
    return response.json()


async def rows(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """A query as the installation (its own schemas, no wall)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def claims_of(database_url: str, tenant: UUID) -> list[asyncpg.Record]:
    return await rows(
        database_url,
        "SELECT id, patient_control_number, status, interchange_number, transaction_control, overdue_at, updated_at,"
        " reasons FROM claim_submission.claims WHERE tenant_id = $1",
        tenant,
    )


async def known_claims(database_url: str, tenant: UUID) -> list[asyncpg.Record]:
    """The tenant's claims as remittance posting knows them (from ClaimCreated), lines and all."""
    return await rows(
        database_url,
        "SELECT claim_id, patient_control_number, payer_id, lines FROM remittance_posting.known_claims"
        " WHERE tenant_id = $1 ORDER BY patient_control_number",
        tenant,
    )


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, within: float) -> T:
    """Poll `probe` until `done` holds of what it returns, or the bounded wait is over; the last answer."""
    deadline = time.monotonic() + within
    found = await probe()
    while not done(found) and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        found = await probe()
    return found


def clearinghouse_account(services: Services) -> UUID:
    """The clearinghouse account claimstream's workers read their inboxes as (its token's tenant)."""
    token = services.clearinghouse_auth["Authorization"].removeprefix("Bearer ")
    payload = token.split(".")[1]
    return UUID(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["tid"])


async def into_the_inbox(services: Services, database_url: str, kind: str, *contents: str) -> list[int]:
    """Documents the clearinghouse delivers to claimstream's inbox (as the simulator's cycle stores its own); their
    ids, which the reading worker names their sources by (`inbox:<id>`)."""
    account = clearinghouse_account(services)
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        insert = (
            "INSERT INTO clearinghouse_simulator.documents (submitter, kind, content) VALUES ($1, $2, $3) RETURNING id"
        )
        return [int(await connection.fetchval(insert, account, kind, content)) for content in contents]
    finally:
        await connection.close()
