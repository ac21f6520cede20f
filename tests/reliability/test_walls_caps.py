"""Scenario 21 of docs/reliability.md's catalogue, on the running services: what one request may take (a page) and
what one tenant may send the payers (real-time checks, each a call the clearinghouse answers and bills)."""

import asyncio
import math
import time
from collections import Counter
from typing import Any
from uuid import UUID, uuid4

import httpx
from claimstream_devtools.running_services import Services
from claimstream_devtools.testing import Keys, StackUnderTest, register_practices
from claimstream_platform.access import RateClass
from claimstream_platform.limits import DEFAULT_BUDGETS
from oracle import Workload
from walls_guard import PAYER_BUDGET, SWEPT, bearer, installation, path_of

CHECKS, CALLERS, AT_ONCE = 1000, 3, 25


async def _uncapped(http: httpx.AsyncClient, url: str) -> tuple[int, dict[str, Any]]:
    """Every GET of the service's OpenAPI that takes a `limit`, asked for a million: how many there are, and those
    not refused with a problem naming `limit`."""
    document = (await http.get(f"{url}/openapi.json")).json()
    lists, uncapped = 0, {}
    for template, methods in document["paths"].items():
        operation = methods.get("get", {})
        if not any(p["name"] == "limit" and p["in"] == "query" for p in operation.get("parameters", [])):
            continue
        lists += 1
        answer = await http.get(url + path_of(template, operation), params={"limit": 1_000_000})
        fields = {e["field"] for e in answer.json().get("errors", [])} if answer.status_code == 422 else set()
        if "query.limit" not in fields:
            uncapped[f"GET {template}"] = answer.status_code
    return lists, uncapped


def _check(practice: UUID, visit: dict[str, Any], member_id: str) -> dict[str, Any]:
    return {
        "practice_id": str(practice),
        "patient": {"external_id": member_id, "first_name": "Cap", "last_name": "Tenant", "birth_date": "1975-05-05"},
        "coverage": {"payer_id": visit["coverage"]["payer_id"], "member_id": member_id},
        "provider": {"npi": visit["rendering_provider_npi"], "name": "RELIABILITY CLINIC"},
        "service_date": visit["service_date"],
    }


async def _burst(services: Services, keys: Keys, tenant: UUID, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """The checks sent at once (AT_ONCE in flight) by CALLERS front desks of the tenant, in turn."""
    callers = [bearer(keys, tenant, "front-desk", subject=f"integration:desk-{n}") for n in range(CALLERS)]
    gate = asyncio.Semaphore(AT_ONCE)
    limits = httpx.Limits(max_connections=AT_ONCE)
    async with httpx.AsyncClient(base_url=services.eligibility, timeout=60, limits=limits) as http:

        async def one(n: int) -> httpx.Response:
            async with gate:
                return await http.post("/v1/eligibility-checks", json=bodies[n], headers=callers[n % CALLERS])

        return await asyncio.gather(*(one(n) for n in range(len(bodies))))


async def test_scenario_21_a_page_and_a_tenants_payer_calls_are_capped(
    services: Services, keys: Keys, stack: StackUnderTest, settled_run: Workload
) -> None:
    async with httpx.AsyncClient(headers=bearer(keys, uuid4()), timeout=30) as http:
        swept = [await _uncapped(http, getattr(services, package)) for package in SWEPT]
    assert sum(lists for lists, _ in swept) >= 17, "every list that pages was asked"
    assert {route: status for _, uncapped in swept for route, status in uncapped.items()} == {}

    # A thousand real-time checks from one tenant at once: its budget goes to the payers, the rest is refused.
    tenant, practice, marker = uuid4(), uuid4(), f"CAP{uuid4().hex[:8].upper()}"
    await register_practices(stack, {tenant: [practice]})
    visit = settled_run.posted[settled_run.tenants[0]][0]
    bodies = [_check(practice, visit, f"{marker}{n:04d}") for n in range(CHECKS)]
    started = time.time()
    answers = await _burst(services, keys, tenant, bodies)
    ended = time.time()
    budget = PAYER_BUDGET
    windows = math.floor(ended / budget.window_seconds) - math.floor(started / budget.window_seconds) + 1
    seen = Counter(_outcome(answer) for answer in answers)
    calls = await _answered_271s(stack, marker)
    took = ended - started
    print(f"\nscenario 21: {CHECKS} checks in {took:.1f} s ({windows} windows of {budget}): {dict(seen)}; {calls} 271s")
    assert set(seen) <= {"answered", "waiting", "refused", "uncounted"} and seen["answered"] > 0, seen
    assert calls <= budget.tenant * windows, "the clearinghouse got no more calls than the tenant's budget"
    assert seen["answered"] <= calls <= seen["answered"] + seen["waiting"], "no check refused reached the payer"
    refused = [a for a in answers if a.status_code == 429]
    assert any("the tenant budget" in a.json()["detail"] for a in refused), "three callers spent the tenant's"
    assert all(1 <= int(a.headers["Retry-After"]) <= budget.window_seconds for a in refused)
    default = DEFAULT_BUDGETS[RateClass.PAYER]
    assert default.tenant * 60 / default.window_seconds < CHECKS, "the default refuses such a minute too"


def _outcome(answer: httpx.Response) -> str:
    """answered (201), waiting (503: asked, the payer's answer late; the check waits for a retry or the worker),
    refused (429, the budget spent), uncounted (503: the budget could not be read, so the payer was not asked)."""
    if answer.status_code == 503 and "request limits cannot be counted" in answer.json().get("detail", ""):
        return "uncounted"
    return {201: "answered", 503: "waiting", 429: "refused"}.get(answer.status_code, str(answer.status_code))


async def _answered_271s(stack: StackUnderTest, marker: str) -> int:
    """The 271s the simulated clearinghouse answered about the members whose ids start with `marker`."""
    async with installation(stack.database_url) as db:
        found = await db.fetchval(
            "SELECT count(*) FROM clearinghouse_simulator.documents WHERE kind = '271' AND content LIKE $1",
            f"%{marker}%",
        )
    return int(found)
