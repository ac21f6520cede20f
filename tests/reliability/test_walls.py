"""Scenarios 17 to 19 of docs/reliability.md's catalogue, on the running services after one settled seeded run
(`settled_run`): the walls hold where a layer above them is missing (17), against fields a caller may not set (18)
and against a command sent again (19). Scenario 16 (every route with the other tenant's ids) is
tests/integration/test_walls_sweep.py; 20 (broken tokens) test_walls_tokens.py."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from charge_capture.repository import CaptureWork
from claim_submission.repository import ClaimWork
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest
from claimstream_platform.auth import Principal
from claimstream_platform.context import Tenancy
from claimstream_platform.contracts.charge_capture import TOPIC as CAPTURED_TOPIC
from claimstream_platform.db import Repository
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.messaging.kafka import dead_letter_topic
from kafka_reader import header, read_topic
from oracle import Workload
from sqlalchemy import true
from walls_guard import (
    SWEPT,
    bearer,
    foreign_practice_event,
    installation,
    path_of,
    until,
)


async def _encounters_seen(url: str, ours: UUID, theirs_keys: list[tuple[UUID, str]]) -> tuple[set[UUID], int]:
    """Charge capture's encounter queries as tenant `ours` on the role `url` names: the tenants of a page of every
    encounter, and how many of `theirs_keys` (practice, external id) a lookup by key found."""
    engine = create_engine(url, schema="charge_capture", connections=2)
    principal = Principal("integration:rls-probe", ours, None, str(uuid4()), frozenset({"biller"}))
    try:
        async with CaptureWork(sessions(engine), Tenancy.of(ours)) as uow:
            page, _ = await uow.encounters.page(
                principal, practice_id=None, status=None, external_id=None, limit=200, cursor=None
            )
            found = await uow.encounters.by_keys(ours, theirs_keys)
        return {encounter.tenant_id for encounter in page}, len(found)
    finally:
        await engine.dispose()


async def _claims_locked(url: str, ours: UUID, claim_ids: list[UUID]) -> int:
    """Claim submission's `lock_many` (the submission loop's, by ids alone: no tenant in its SQL) as `ours`."""
    engine = create_engine(url, schema="claim_submission", connections=2)
    try:
        async with ClaimWork(sessions(engine), Tenancy.of(ours)) as uow:
            return len(await uow.claims.lock_many(claim_ids))
    finally:
        await engine.dispose()


async def test_scenario_17_row_level_security_holds_where_the_filter_is_gone(
    services: Services, stack: StackUnderTest, settled_run: Workload, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = settled_run.tenants
    theirs_keys = [(UUID(body["practice_id"]), body["external_id"]) for body in settled_run.posted[theirs]]
    async with installation(stack.database_url) as db:
        their_claims = [
            r["id"] for r in await db.fetch("SELECT id FROM claim_submission.claims WHERE tenant_id = $1", theirs)
        ]
    # Every repository query of the process loses its tenant filter: only PostgreSQL stands between the tenants.
    monkeypatch.setattr(Repository, "mine", lambda _self, _tenant, _table=None: true())
    capture, submission = services.roles["charge_capture"], services.roles["claim_submission"]

    seen, found = await _encounters_seen(capture.app_url, ours, theirs_keys)
    assert (seen, found) == ({ours}, 0), "the app role sees its tenant's encounters and none of theirs"
    assert await _claims_locked(submission.app_url, ours, their_claims) == 0
    # The same queries on the across-tenants role find their rows: the filter really is gone.
    _, found = await _encounters_seen(capture.across_url, ours, theirs_keys)
    assert found == len(theirs_keys) > 0
    assert await _claims_locked(submission.across_url, ours, their_claims) == len(their_claims) > 0

    # An event of ours naming their practice is dead-lettered before any handler: no claim of ours comes of it.
    forged = await foreign_practice_event(stack.bootstrap_servers, ours, theirs)
    event, event_id = forged.event, forged.event_id

    async def letters() -> list[Any]:
        found = await read_topic(stack.bootstrap_servers, dead_letter_topic(CAPTURED_TOPIC))
        mine = [r for r in found if header(r, "ce_id") == str(event_id)]
        return mine if any(header(r, "dlq_consumer") == "claim-submission" for r in mine) else []

    dead = await until(letters, within=60, every=0.5)
    assert dead, "claim submission dead-lettered the event"
    reason = f"practice {event.practice_id} does not belong to tenant {ours}"
    assert {(header(r, "dlq_kind"), header(r, "dlq_reason")) for r in dead} == {("practice", reason)}
    async with installation(stack.database_url) as db:
        made = await db.fetchval(
            "SELECT count(*) FROM claim_submission.claims WHERE encounter_id = $1", event.encounter_id
        )
    assert made == 0


# Fields no caller sets: whose the row is, what it is worth, who made it. Each is refused by name, never applied.
EXTRAS = {"tenant_id": "", "status": "paid", "paid_amount": "99999.99", "created_by": "person:mallory"}


async def _mass_assigned(http: httpx.AsyncClient, url: str, extras: dict[str, str]) -> dict[str, Any]:
    """Every JSON write of the service's OpenAPI sent the extras alone: route -> the extras it did not refuse."""
    document = (await http.get(f"{url}/openapi.json")).json()
    unrefused = {}
    for template, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in ("post", "put", "patch"):
                continue
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            answer = await http.request(method.upper(), url + path_of(template, operation), json=extras)
            errors = answer.json().get("errors", []) if answer.status_code == 422 else []
            refused = {e["field"] for e in errors}  # forbidden, or a field of the route's whose value is refused
            if answer.status_code != 422 or not set(extras) <= refused:
                unrefused[f"{method.upper()} {template}"] = (answer.status_code, sorted(set(extras) - refused))
    return unrefused


async def _rows_of(stack: StackUnderTest, tenants: list[UUID]) -> dict[str, int]:
    """Rows of `tenants` in every table of every schema that has a tenant column (the rate limiter's counters
    aside: a refused request spends its budget)."""
    async with installation(stack.database_url) as db:
        tables = await db.fetch(
            "SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'tenant_id'"
            " AND table_schema NOT IN ('limits', 'information_schema', 'pg_catalog')"
        )
        found = {}
        for t in tables:
            name = f'"{t["table_schema"]}"."{t["table_name"]}"'
            count = await db.fetchval(
                f"SELECT count(*) FROM {name} WHERE tenant_id::text = ANY($1)", [str(x) for x in tenants]
            )
            if count:
                found[name] = count
        return found


async def test_scenario_18_fields_a_caller_may_not_set_are_refused_by_name(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    caller, injected = uuid4(), settled_run.tenants[1]
    extras = EXTRAS | {"tenant_id": str(injected)}
    async with httpx.AsyncClient(headers=bearer(keys, caller), timeout=30) as http:
        unrefused: dict[str, Any] = {}
        for package in SWEPT:
            unrefused |= await _mass_assigned(http, getattr(services, package), extras)
    assert unrefused == {}
    assert await _rows_of(stack, [caller]) == {}, "no write of the sweep changed anything"

    # A whole valid encounter with the extras beside it is refused for them alone; it is not stored.
    ours = settled_run.tenants[0]
    body = settled_run.posted[ours][0] | {"external_id": f"mass-{uuid4().hex[:12]}"} | extras
    async with httpx.AsyncClient(base_url=services.charge_capture, headers=bearer(keys, ours), timeout=30) as http:
        refused = await http.post("/v1/encounters", json=body)
        assert refused.status_code == 422, refused.text
        assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {(f, "extra_forbidden") for f in EXTRAS}
    async with installation(stack.database_url) as db:
        stored = await db.fetchval(
            "SELECT count(*) FROM charge_capture.encounters WHERE external_id = $1", body["external_id"]
        )
    assert stored == 0


def _check_body(settled_run: Workload, member_id: str) -> dict[str, Any]:
    """An eligibility check of the run's first tenant, for a patient and a member id of the test's own."""
    visit = settled_run.posted[settled_run.tenants[0]][0]
    return {
        "practice_id": visit["practice_id"],
        "patient": {
            "external_id": f"p-{member_id}",
            "first_name": "Idem",
            "last_name": "Potent",
            "birth_date": "1980-02-02",
        },
        "coverage": {"payer_id": visit["coverage"]["payer_id"], "member_id": member_id},
        "provider": {"npi": visit["rendering_provider_npi"], "name": "RELIABILITY CLINIC"},
        "service_date": visit["service_date"],
    }


async def _asked(stack: StackUnderTest, member_id: str) -> tuple[int, int]:
    """Checks stored for the member id, and 271s the simulated clearinghouse answered about it."""
    async with installation(stack.database_url) as db:
        checks = await db.fetchval("SELECT count(*) FROM eligibility.checks WHERE member_id = $1", member_id)
        answers = await db.fetchval(
            "SELECT count(*) FROM clearinghouse_simulator.documents WHERE kind = '271' AND content LIKE $1",
            f"%{member_id}%",
        )
    return checks, answers


async def test_scenario_19_one_idempotency_key_one_operation(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    member_id, key = f"IDEM{uuid4().hex[:10].upper()}", str(uuid4())
    body, headers = _check_body(settled_run, member_id), {"Idempotency-Key": key}
    tenant = settled_run.tenants[0]
    async with httpx.AsyncClient(base_url=services.eligibility, headers=bearer(keys, tenant), timeout=60) as http:
        answers = await asyncio.gather(
            *(http.post("/v1/eligibility-checks", json=body, headers=headers) for _ in range(10))
        )
        assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]
        made = {a.json()["id"] for a in answers if a.status_code == 201}
        assert len(made) == 1, "every answer is the one check's"
        assert await _asked(stack, member_id) == (1, 1), "one check, asked of the payer once"

        other = await http.post("/v1/eligibility-checks", json=body | {"service_date": "2025-01-02"}, headers=headers)
        assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key", other.text
        assert await _asked(stack, member_id) == (1, 1)

        # The key's day is over (its expiry moved back, as a day passing would): the same request is a new one.
        async with installation(stack.database_url) as db:
            expired = await db.execute(
                "UPDATE eligibility.idempotency_keys SET expires_at = now() - interval '1 second'"
                " WHERE tenant_id = $1 AND key = $2",
                tenant,
                key,
            )
        assert expired == "UPDATE 1"
        again = await http.post("/v1/eligibility-checks", json=body, headers=headers)
        assert again.status_code == 201 and again.json()["id"] not in made, again.text
        assert await _asked(stack, member_id) == (2, 2)
