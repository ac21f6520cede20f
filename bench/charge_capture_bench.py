"""`make bench`: charge capture's intake, through its real API process (uvicorn) and its outbox relay.

Starts its own Kafka and PostgreSQL (the `bench` profile) and charge capture under the supervisor, sets up
one practice, then measures:
  batch ingest   POST /v1/encounters/batch, 1,000 per request, 2 clients: encounters/s committed with their
                 outbox rows (the response comes after the commit)
  single POST    POST /v1/encounters at fixed arrival rates (open loop): latency percentiles per rate, and the
                 API process's CPU per request (one API process by default, as `make run` runs it), and each other
                 process's (the relay, the access chain, PostgreSQL, Kafka)
Prints a table and writes bench/results/charge_capture.json.
"""

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.devstack.run import identitys_own
from claimstream_devtools.devstack.services import Supervisor, local_services
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_platform.auth import Role, TokenIssuer, generate_keypair
from claimstream_platform.engines import create_engine
from identity.audit_keys import new_ring_file
from measuring import BENCH_PORT_OFFSET, cpu_seconds, described, process_roots, raw_rates
from sqlalchemy import text

BATCHES = int(os.environ.get("BENCH_BATCHES", "20"))
BATCH_SIZE = 1000
RATES = [int(r) for r in os.environ.get("BENCH_POST_RATES", "100,150,200").split(",")]  # the p99 target is at 100/s
SECONDS = int(os.environ.get("BENCH_POST_SECONDS", "15"))
API_WORKERS = os.environ.get("API_WORKERS", "1")  # as `make run` runs it
SPECS = {spec.package: spec for spec in local_services(port_offset=BENCH_PORT_OFFSET)}
SPEC = SPECS["charge_capture"]
IDENTITY = SPECS["identity"]  # the revocation list's owner: every API refuses to answer without it
RESULTS = Path(__file__).parent / "results" / "charge_capture.json"
ADDRESS = {"line1": "1 Elm St", "city": "Portland", "state": "OR", "postal_code": "97201"}
SERVICES = [  # a realistic mix: mostly 45/60-minute therapy, some intakes, E/M with add-ons, groups
    ({"kind": "psychotherapy", "minutes": 53}, "1245319599"),
    ({"kind": "psychotherapy", "minutes": 45}, "1245319599"),
    ({"kind": "psychotherapy", "minutes": 58}, "1245319599"),
    ({"kind": "diagnostic_evaluation"}, "1245319599"),
    ({"kind": "psychotherapy_with_em", "minutes": 30, "em_code": "99214"}, "1234567893"),
    ({"kind": "group", "minutes": 90}, "1245319599"),
]


def set_up(client: httpx.Client) -> str:
    def call(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.request(method, path, json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    practice = call(
        "POST",
        "/v1/practices",
        {
            "name": "Bench Practice",
            "npi": "1679576722",
            "tax_id": "987654321",
            "taxonomy": "261QM0801X",
            "address": ADDRESS,
        },
    )
    practice_id = str(practice["id"])
    for npi, credential, taxonomy in [("1245319599", "LCSW", "1041C0700X"), ("1234567893", "MD", "2084P0800X")]:
        provider = {"npi": npi, "first_name": "A", "last_name": "B", "credential": credential, "taxonomy": taxonomy}
        call("POST", f"/v1/practices/{practice_id}/providers", provider)
    call(
        "POST",
        f"/v1/practices/{practice_id}/payers",
        {"payer_id": "COM01", "name": "Commercial", "kind": "commercial", "claim_filing_indicator": "CI"},
    )
    fees = [{"code": c, "amount": "100.00"} for c in ("90791", "90834", "90837", "90836", "99214", "90853")]
    call("PUT", f"/v1/practices/{practice_id}/fee-schedules/COM01", {"effective_from": "2025-01-01", "entries": fees})
    return practice_id


def encounter(practice_id: str, n: int) -> dict[str, Any]:
    service, npi = SERVICES[n % len(SERVICES)]
    return {
        "practice_id": practice_id,
        "external_id": f"bench-{uuid4().hex}",
        "service_date": "2026-03-02",
        "rendering_provider_npi": npi,
        "patient": {
            "external_id": f"p-{n % 5000}",
            "first_name": "Pat",
            "last_name": "Doe",
            "birth_date": "1980-05-05",
            "sex": "U",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "COM01", "member_id": f"M{n:09d}", "relationship": "self"},
        "diagnoses": ["F33.1", "Z63.0"] if n % 3 else ["F41.1"],
        "place_of_service": "11",
        "telehealth": {"modality": "video"} if n % 2 else None,
        "service": service,
    }


async def batch_ingest(url: str, headers: dict[str, str], practice_id: str) -> dict[str, float]:
    bodies = [
        {"encounters": [encounter(practice_id, b * BATCH_SIZE + i) for i in range(BATCH_SIZE)]} for b in range(BATCHES)
    ]
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    created = 0

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal created
        while not queue.empty():
            response = await client.post("/v1/encounters/batch", json=queue.get_nowait())
            response.raise_for_status()
            created += response.json()["created"]

    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        await client.post("/v1/encounters/batch", json={"encounters": [encounter(practice_id, -1)]})  # warm up
        started = time.perf_counter()
        await asyncio.gather(client_loop(client), client_loop(client))
        elapsed = time.perf_counter() - started
    assert created == BATCHES * BATCH_SIZE, f"created {created}"
    return {"encounters": created, "seconds": round(elapsed, 2), "per_s": round(created / elapsed)}


async def single_posts(
    url: str, headers: dict[str, str], practice_id: str, rate: int, roots: dict[str, int]
) -> dict[str, Any]:
    """Posts at `rate` for SECONDS (open loop): latencies, and each process's CPU per request meanwhile: the API's,
    what a request costs after its answer (the relay in charge capture's worker, the access chain in identity's,
    PostgreSQL, Kafka: the last answers' may fall past the window) and the load generator's own."""
    total = rate * SECONDS
    latencies: list[float] = []
    errors: Counter[str] = Counter()  # by status and problem, or by the transport's error

    async def one(client: httpx.AsyncClient, n: int) -> None:
        started = time.perf_counter()
        try:
            response = await client.post("/v1/encounters", json=encounter(practice_id, n))
            if response.status_code != 201:
                errors[_kind(response)] += 1
        except httpx.TransportError as error:  # counted, not fatal: an overloaded server may drop connections
            errors[type(error).__name__] += 1
        latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30, limits=limits) as client:
        for n in range(50):  # warm up connections and caches
            await one(client, n)
        latencies.clear()
        errors.clear()
        tasks = []
        cpu_before = cpu_seconds(roots)
        started = time.perf_counter()
        for n in range(total):  # open loop: send on schedule whether or not earlier answers came back
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(client, rate * 100_000 + n)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(roots)
    return (
        {"requests": total, "target_rate": rate, "achieved_rate": round(total / elapsed, 1)}
        | _costs(cpu_before, cpu_after, total)
        | _answers(latencies, errors)
    )


def _costs(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, Any]:
    """Each process's CPU per request between two readings, the API's apart."""
    per_request = {name: round((after[name] - before[name]) * 1000 / requests, 2) for name in after}
    return {"api_cpu_ms_per_request": per_request[f"{SPEC.name} api"], "cpu_ms_per_request": per_request}


def _kind(response: httpx.Response) -> str:
    """An answer's status, with its problem's kind when it is one (`urn:claimstream:problem:over-share`)."""
    problem = response.json() if response.headers.get("content-type") == "application/problem+json" else {}
    return f"{response.status_code} {str(problem.get('type', '')).rsplit(':', 1)[-1]}".strip()


def _answers(latencies: list[float], errors: Counter[str]) -> dict[str, Any]:
    """The latencies' percentiles in ms, and the answers other than 201, by status or error."""
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
    }


async def wait_for_outbox(database_url: str) -> float:
    """Seconds until the outbox has no pending rows (measured from the end of the batch phase)."""
    engine = create_engine(database_url, schema=SPEC.package, connections=2)
    started = time.perf_counter()
    try:
        while True:
            async with engine.connect() as connection:
                pending = (await connection.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))).scalar()
            if not pending:
                return round(time.perf_counter() - started, 2)
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


def main() -> int:
    stack = LocalStack(PROFILES["bench"])
    stack.start(fresh=True)
    keys = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    generate_keypair(keys / "signing.pem", keys / "public.pem")
    issuer, tenant, day = TokenIssuer.from_file(keys / "signing.pem"), uuid4(), timedelta(days=1)
    admin = {"Authorization": f"Bearer {issuer.issue(tenant_id=tenant, roles=[Role.TENANT_ADMIN], lifetime=day)}"}
    headers = {"Authorization": f"Bearer {issuer.issue(tenant_id=tenant, roles=[Role.EHR_INTEGRATION], lifetime=day)}"}
    new_ring_file(keys / "audit.key")
    supervisor = Supervisor(
        env={
            "DATABASE_URL": stack.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
            "AUTH_PUBLIC_KEY_FILE": str(keys / "public.pem"),
            "LOG_LEVEL": "WARNING",
            "API_WORKERS": API_WORKERS,
        },
        log_dir=keys,
        only_for=identitys_own(keys),  # identity alone signs tokens and chains the access log
    )
    try:
        supervisor.start([IDENTITY, SPEC])
        with httpx.Client(base_url=SPEC.url, headers=admin, timeout=30) as client:  # the practice: its admin's
            practice_id = set_up(client)
        batch = asyncio.run(batch_ingest(SPEC.url, headers, practice_id))
        # The relay publishes the batch phase's events; measure that, and keep it out of the latency runs.
        batch["relay_drain_seconds"] = asyncio.run(wait_for_outbox(stack.database_url))
        roots = process_roots(stack, supervisor)  # an API's with uvicorn's workers, if several
        singles = [asyncio.run(single_posts(SPEC.url, headers, practice_id, rate, roots)) for rate in RATES]
        batch |= asyncio.run(raw_rates(stack))  # after the measures, so as not to load the database they use
    finally:
        supervisor.stop()
        stack.stop()
    _report(batch, singles)
    RESULTS.parent.mkdir(exist_ok=True)
    results = {"batch_ingest": batch, "single_post": singles, "api_workers": API_WORKERS, "cores": os.cpu_count()}
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 0


def _report(batch: dict[str, float], singles: list[dict[str, Any]]) -> None:
    print(
        f"\ncharge capture benchmark: {API_WORKERS} API worker(s), outbox relay and load generator "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"batch ingest: {batch['encounters']:,} encounters in {batch['seconds']} s = {batch['per_s']:,}/s "
        f"(target 2,000); the relay then published its {2 * batch['encounters']:,} events in "
        f"{batch['relay_drain_seconds']} s"
    )
    print(f"raw references of this run: {described(batch)}")
    print(f"single POST /v1/encounters, open loop, {SECONDS} s per rate (targets: p99 < 50 ms at 100/s, API CPU")
    print("<= 5 ms a request):")
    print(
        f"{'rate/s':>8}{'achieved':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}"
        f"{'CPU ms/req':>12}"
    )
    for single in singles:
        print(
            f"{single['target_rate']:>8}{single['achieved_rate']:>10}{single['p50_ms']:>10}{single['p95_ms']:>10}"
            f"{single['p99_ms']:>10}{single['max_ms']:>10}{single['errors']:>8}{single['api_cpu_ms_per_request']:>12}"
        )
        elsewhere = {name: ms for name, ms in single["cpu_ms_per_request"].items() if name != f"{SPEC.name} api"}
        print(f"{'':>8}CPU ms a request in the other processes: {elsewhere}")
        if single["errors"]:
            print(f"{'':>8}answers other than 201, by status and problem, or error: {single['errors_by_kind']}")


if __name__ == "__main__":
    sys.exit(main())
