"""`make bench`: a noisy neighbour. Tenant A bursts single encounter POSTs far above its request budget while
tenants B and C post at a steady pace; A gets 429 with Retry-After for its excess, and B's and C's latency is
measured alone and beside the burst (docs/security.md, "Rate limits"; docs/platform.md, "Load shedding";
reliability scenarios 11 and 21).

Starts its own Kafka and PostgreSQL (the `bench` profile), identity (the revocation list's owner) and charge
capture under the supervisor, gives A a small write budget (`limits.store.set_override`, what `claimstream admin
rate-limit` does), and prints B's and C's p50/p99 alone and beside the burst, each tenant's answers by status (429:
a budget spent or a tenant over its share of the process; 503: the process at its bound), how fast the refusals
came, and the raw references of the same run (Kafka produce, PostgreSQL insert, a one-row commit). Each tenant is
a client of its own, with its own connections, as tenants are, and A's burst is sent from a process of its own:
a load generator that cannot keep up with 300 requests a second would otherwise delay B's and C's requests in its
own event loop and count that as their latency. Figures are printed, never asserted: machines differ. Writes
bench/results/noisy_neighbour.json.

On a machine shared with other work: BENCH_NOISY_WORKERS=0 starts the APIs without their workers (no consumer
joins a shared broker's groups; the outbox is left unpublished), BENCH_NOISY_RAW=0 skips the raw references.
"""

import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from charge_capture_bench import encounter, set_up
from claimstream_devtools.devstack.run import identitys_own
from claimstream_devtools.devstack.services import Supervisor, local_services
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_platform.access import RateClass
from claimstream_platform.auth import Role, TokenIssuer, generate_keypair
from claimstream_platform.engines import create_engine
from claimstream_platform.limits import Budget, store
from identity.audit_keys import new_ring_file
from measuring import BENCH_PORT_OFFSET, described, percentiles, raw_rates

SECONDS = int(os.environ.get("BENCH_NOISY_SECONDS", "15"))
STEADY_RATE = int(os.environ.get("BENCH_STEADY_RATE", "5"))  # B's and C's single POSTs per second, each
BURST_RATE = int(os.environ.get("BENCH_BURST_RATE", "300"))  # A's offered single POSTs per second
WORKERS = os.environ.get("BENCH_NOISY_WORKERS", "1") != "0"
RAW = os.environ.get("BENCH_NOISY_RAW", "1") != "0"
A_BUDGET = Budget(tenant=200, client=200, window_seconds=10)  # A's writes: 20/s, far below its burst
SPECS = {spec.package: spec for spec in local_services(port_offset=BENCH_PORT_OFFSET)}
CAPTURE, IDENTITY = SPECS["charge_capture"], SPECS["identity"]
RESULTS = Path(__file__).parent / "results" / "noisy_neighbour.json"
REFUSED = ("429", "503")


class Tenant:
    def __init__(self, issuer: TokenIssuer, name: str) -> None:
        self.name, self.id, day = name, uuid4(), timedelta(days=1)
        self.admin = {
            "Authorization": f"Bearer {issuer.issue(tenant_id=self.id, roles=[Role.TENANT_ADMIN], lifetime=day)}"
        }
        ehr = issuer.issue(tenant_id=self.id, roles=[Role.EHR_INTEGRATION], lifetime=day)
        self.ehr = {"Authorization": f"Bearer {ehr}"}
        self.practice_id = ""


async def post_at(client: httpx.AsyncClient, tenant: Tenant, rate: int, seconds: int) -> dict[str, Any]:
    """Open loop: one POST every 1/rate s whether or not earlier answers came back; latency of each answer, the
    refusals (429, 503) apart from the rest: answered at once, or after a wait in a queue?"""
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    refused: list[float] = []

    async def one(n: int) -> None:
        started, status = time.perf_counter(), "transport error"
        try:
            answer = await client.post("/v1/encounters", json=encounter(tenant.practice_id, n), headers=tenant.ehr)
            status = str(answer.status_code)
        except httpx.TransportError:
            pass
        statuses[status] += 1
        (refused if status in REFUSED else latencies).append(time.perf_counter() - started)

    tasks, started = [], time.perf_counter()
    for n in range(rate * seconds):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    refusals = {f"refused_{key}": value for key, value in _ms(refused).items() if key in ("p50_ms", "max_ms")}
    return {"tenant": tenant.name, "offered_per_s": rate, "statuses": dict(statuses), **_ms(latencies), **refusals}


def _ms(latencies: list[float]) -> dict[str, float]:
    return {key.replace("_s", "_ms"): round(value * 1000, 1) for key, value in percentiles(latencies).items()}


async def watch_the_server(done: asyncio.Event) -> dict[str, Any]:
    """Charge capture's own view while the burst lasts, from its /metrics: the most requests it held in flight at
    a sample (every 0.5 s), the requests it shed by reason, and its mean time per encounter POST from the gate to
    the answer (what a client waits beyond that was spent before the server took the request, or on its side)."""
    samples: list[float] = []
    async with httpx.AsyncClient(base_url=CAPTURE.url, timeout=60) as client:
        while True:
            text = (await client.get("/metrics")).text
            samples += [float(v) for v in re.findall(r"^claimstream_http_in_flight (\S+)$", text, re.M)]
            if done.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.5)
    shed = re.findall(r'^claimstream_http_shed_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$', text, re.M)
    route = r'\{method="POST",route="/v1/encounters"\}'
    seconds = [float(v) for v in re.findall(rf"^claimstream_http_duration_(?:sum|count){route} (\S+)$", text, re.M)]
    mean_ms = round(seconds[0] / seconds[1] * 1000, 1) if len(seconds) == 2 and seconds[1] else None
    return {"most_in_flight": max(samples, default=0), "shed": dict(shed), "server_mean_ms": mean_ms}


def burst(tenant: Tenant) -> dict[str, Any]:
    """A's burst, in a process of its own (on a client of its own)."""

    async def send() -> dict[str, Any]:
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
        async with httpx.AsyncClient(base_url=CAPTURE.url, timeout=60, limits=limits) as client:
            return await post_at(client, tenant, BURST_RATE, SECONDS)

    return asyncio.run(send())


async def phases(tenants: list[Tenant]) -> dict[str, Any]:
    """B and C alone, then beside A's burst; each tenant on a client of its own, A's in a process of its own, so
    that nothing of A's on this side (its connections waiting, its event loop) holds B's or C's requests back."""
    (noisy, *steady), limits = tenants, httpx.Limits(max_connections=400, max_keepalive_connections=400)
    elsewhere = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    async with contextlib.AsyncExitStack() as clients:
        clients.callback(elsewhere.shutdown)
        await asyncio.get_running_loop().run_in_executor(elsewhere, time.sleep, 0)  # started before the burst
        own = {
            t.name: await clients.enter_async_context(
                httpx.AsyncClient(base_url=CAPTURE.url, timeout=60, limits=limits)
            )
            for t in tenants
        }
        for tenant in tenants:  # warm up connections, caches and each tenant's permits
            await post_at(own[tenant.name], tenant, 5, 1)
        alone = await asyncio.gather(*(post_at(own[t.name], t, STEADY_RATE, SECONDS) for t in steady))
        done = asyncio.Event()
        watching = asyncio.create_task(watch_the_server(done))
        noisy_burst = asyncio.get_running_loop().run_in_executor(elsewhere, burst, noisy)
        beside = await asyncio.gather(noisy_burst, *(post_at(own[t.name], t, STEADY_RATE, SECONDS) for t in steady))
        done.set()
    return {"alone": list(alone), "beside_the_burst": list(beside), "server": await watching}


async def limit_a(database_url: str, tenant_id: UUID) -> None:
    engine = create_engine(database_url, schema=store.SCHEMA, connections=2)
    try:
        await store.set_override(engine, tenant_id, RateClass.WRITE, A_BUDGET)
    finally:
        await engine.dispose()


def main() -> int:
    stack = LocalStack(PROFILES["bench"])
    stack.start(fresh=True)
    keys = Path(tempfile.mkdtemp(prefix="noisy-bench-"))
    generate_keypair(keys / "signing.pem", keys / "public.pem")
    new_ring_file(keys / "audit.key")
    issuer = TokenIssuer.from_file(keys / "signing.pem")
    tenants = [Tenant(issuer, name) for name in ("A", "B", "C")]
    asyncio.run(limit_a(stack.database_url, tenants[0].id))
    env = {
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys / "public.pem"),
        "LOG_LEVEL": "WARNING",
    }
    supervisor = Supervisor(env=env, log_dir=keys, only_for=identitys_own(keys))
    try:
        supervisor.start([IDENTITY, CAPTURE], workers=WORKERS)
        for tenant in tenants:
            with httpx.Client(base_url=CAPTURE.url, headers=tenant.admin, timeout=30) as client:
                tenant.practice_id = set_up(client)
        raw = asyncio.run(raw_rates(stack)) if RAW else {}
        results: dict[str, Any] = {"raw": raw, **asyncio.run(phases(tenants))}
    finally:
        supervisor.stop()
        stack.stop()
    results |= {"cores": os.cpu_count(), "seconds": SECONDS, "a_budget_per_10s": A_BUDGET.tenant, "workers": WORKERS}
    _report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    return 0


def _report(results: dict[str, Any]) -> None:
    raw = results["raw"]
    print(f"\nnoisy neighbour: charge capture, identity, Kafka, PostgreSQL and the load on {os.cpu_count()} cores")
    if raw:
        print(f"raw references: {described(raw)}")
    print(f"A offers {BURST_RATE}/s for {SECONDS} s with a budget of {A_BUDGET.tenant} writes per 10 s")
    print("p50, p99, max: the answers other than 429 and 503; refused p50, max: the 429s and 503s")
    columns = ("p50 ms", "p99 ms", "max ms", "refused p50", "refused max")
    print(f"{'phase':<18}{'tenant':>7}{'offered/s':>11}" + "".join(f"{c:>12}" for c in columns) + "  answers")
    keys = ("p50_ms", "p99_ms", "max_ms", "refused_p50_ms", "refused_max_ms")
    for phase in ("alone", "beside_the_burst"):
        for row in results[phase]:
            figures = "".join(f"{row.get(key, '-'):>12}" for key in keys)
            print(f"{phase:<18}{row['tenant']:>7}{row['offered_per_s']:>11}{figures}  {row['statuses']}")
    server = results["server"]
    print(
        f"charge capture during the burst: at most {server['most_in_flight']:g} requests in flight (sampled), shed"
        f" {server['shed'] or 'none'}, {server['server_mean_ms']} ms per encounter POST on average (gate to answer)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
