"""`make bench`: the whole system end to end, on this machine. Starts Kafka, PostgreSQL (the `bench` profile),
identity (whose revocation list every API reads), charge capture, claim submission and the simulator; sets up
practices and enrolls patients through the public APIs; then, per phase, posts encounters at a target rate (EHR
batches of 50) and follows each to claim submitted and accepted (277CA). Prints throughput, latency percentiles,
the worst consumer lag, and the raw Kafka and PostgreSQL rates of the same run; writes bench/results/e2e.json.
BENCH_E2E_PHASES="100:30,300:60" sets rate:seconds per phase.
"""

import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from claimstream_devtools.devstack.run import identitys_own
from claimstream_devtools.devstack.services import Supervisor, local_services
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_platform.auth import (
    CLEARINGHOUSE_ACCOUNT,
    CLEARINGHOUSE_AUDIENCE,
    CLEARINGHOUSE_ISSUER,
    Role,
    TokenIssuer,
    generate_keypair,
)
from claimstream_platform.contracts.charge_capture import TOPIC as CHARGES
from claimstream_platform.engines import create_engine
from claimstream_platform.messaging.kafka import ensure_topics, new_admin, new_producer
from clearinghouse_simulator.workload import encounter, plan_practice, set_up
from identity.audit_keys import new_ring_file
from measuring import commit_latency_ms, cpu_seconds, percentiles, process_roots
from sqlalchemy import text

PHASES = [tuple(int(x) for x in p.split(":")) for p in os.environ.get("BENCH_E2E_PHASES", "100:30,300:60").split(",")]
BATCH = 50
RESULTS = Path(__file__).parent / "results" / "e2e.json"
SPECS = {spec.package: spec for spec in local_services(port_offset=30000)}
CAPTURE, SUBMISSION = SPECS["charge_capture"], SPECS["claim_submission"]
SIMULATOR, IDENTITY = SPECS["clearinghouse_simulator"], SPECS["identity"]  # identity: the revocation list


async def raw_rates(stack: LocalStack) -> dict[str, float]:
    """What the same broker and database do with no claimstream code in the way."""
    await ensure_topics(stack.bootstrap_servers, ["bench-e2e-raw.v1"])
    producer = new_producer(stack.bootstrap_servers, client_id="bench-raw")
    await producer.start()
    started = time.perf_counter()
    futures = [await producer.send("bench-e2e-raw.v1", b"x" * 1500, key=str(i).encode()) for i in range(20000)]
    await asyncio.gather(*futures)
    kafka = 20000 / (time.perf_counter() - started)
    await producer.stop()
    engine = create_engine(stack.database_url, schema="public", connections=2)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS bench_raw (id uuid, body jsonb)"))
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO bench_raw VALUES (:id, CAST(:body AS jsonb))"),
            [{"id": uuid4(), "body": json.dumps({"n": n, "pad": "x" * 1000})} for n in range(20000)],
        )
    postgres = 20000 / (time.perf_counter() - started)
    await engine.dispose()
    return {
        "kafka_produce_per_s": round(kafka),
        "postgres_insert_per_s": round(postgres),
        "postgres_commit_ms": await commit_latency_ms(stack.database_url),
    }


class LagProbe:
    """Records on the charges topic that claim submission's consumer group has not committed yet."""

    def __init__(self, bootstrap: str) -> None:
        self._admin = new_admin(bootstrap)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)

    async def __aenter__(self) -> "LagProbe":
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._admin.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._consumer.stop()

    async def lag(self) -> int:
        offsets = await self._admin.list_consumer_group_offsets("claim-submission")
        partitions = [TopicPartition(CHARGES, p) for p in self._consumer.partitions_for_topic(CHARGES) or ()]
        ends = await self._consumer.end_offsets(partitions)
        return sum(max(0, ends[tp] - (offsets[tp].offset if tp in offsets else 0)) for tp in partitions)


async def phase(
    capture: httpx.AsyncClient, plans: list[Any], rate: int, seconds: int, probe: LagProbe
) -> tuple[dict[str, float], int]:
    rng = random.Random(rate)
    posted: dict[str, float] = {}  # encounter id -> when its batch was sent
    worst_lag = 0
    total = rate * seconds
    started = time.time()
    sent = 0
    pending: list[asyncio.Task[None]] = []

    async def post(bodies: list[dict[str, Any]], at: float) -> None:
        for _ in range(20):  # an overloaded service answers 503 with Retry-After: wait as told, as EHRs should
            response = await capture.post("/v1/encounters/batch", json={"encounters": bodies})
            if response.status_code != 503:
                break
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        response.raise_for_status()
        for result in response.json()["results"]:
            if result["outcome"] == "created" and result["encounter"]["status"] == "coded":
                posted[result["encounter"]["id"]] = at

    next_lag = started
    while sent < total:
        due = started + sent / rate
        await asyncio.sleep(max(0.0, due - time.time()))
        bodies = [encounter(rng, rng.choice(plans), today=date.today(), defect_share=0) for _ in range(BATCH)]
        pending.append(asyncio.create_task(post(bodies, time.time())))
        sent += BATCH
        if time.time() >= next_lag:
            worst_lag = max(worst_lag, await probe.lag())
            next_lag = time.time() + 2
    await asyncio.gather(*pending)
    return posted, worst_lag


async def follow(database_url: str, posted: dict[str, float], timeout: float) -> dict[str, dict[str, float]]:
    """When each encounter's claim reached submitted and accepted (from the claims' history)."""
    engine = create_engine(database_url, schema="claim_submission", connections=2)
    deadline = time.time() + timeout
    reached: dict[str, dict[str, float]] = {}
    try:
        while time.time() < deadline:
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        text(
                            "SELECT c.encounter_id, h.status, min(h.at) AS at FROM claims c "
                            "JOIN claim_history h ON h.claim_id = c.id "
                            "WHERE h.status IN ('submitted', 'accepted', 'held') GROUP BY 1, 2"
                        )
                    )
                ).all()
            reached = {}
            for row in rows:
                reached.setdefault(str(row.encounter_id), {})[row.status] = row.at.timestamp()
            settled = [e for e in posted if "accepted" in reached.get(e, {}) or "held" in reached.get(e, {})]
            if len(settled) >= len(posted):
                break
            await asyncio.sleep(1)
    finally:
        await engine.dispose()
    return reached


async def measure(
    stack: LocalStack, tokens: tuple[str, str], clearinghouse_token: str, roots: dict[str, int]
) -> dict[str, Any]:
    """`tokens`: the tenant admin's (the practices) and the EHR integration's (the encounters)."""
    results: dict[str, Any] = {"raw": await raw_rates(stack), "phases": []}
    admin, headers = ({"Authorization": f"Bearer {token}"} for token in tokens)
    rng = random.Random(11)
    plans = [plan_practice(rng, index, patients=300) for index in range(4)]
    async with (
        httpx.AsyncClient(base_url=CAPTURE.url, headers=admin, timeout=120) as setting_up,
        httpx.AsyncClient(base_url=CAPTURE.url, headers=headers, timeout=120) as capture,
        httpx.AsyncClient(
            base_url=SIMULATOR.url, headers={"Authorization": f"Bearer {clearinghouse_token}"}, timeout=120
        ) as simulator,
        LagProbe(stack.bootstrap_servers) as probe,
    ):
        await set_up(setting_up, simulator, plans, date.today())
        for rate, seconds in PHASES:
            began, cpu_before = time.time(), cpu_seconds(roots)
            posted, worst_lag = await phase(capture, plans, rate, seconds, probe)
            reached = await follow(stack.database_url, posted, timeout=180)
            figures = phase_figures(posted, reached, began, cpu_before, cpu_seconds(roots))
            results["phases"].append(
                {"target_rate": rate, "seconds": seconds, **figures, "worst_consumer_lag": worst_lag}
            )
    return results


def phase_figures(
    posted: dict[Any, float], reached: dict[Any, dict[str, float]], began: float, cpu_before: Any, cpu_after: Any
) -> dict[str, Any]:
    """What one phase reached: counts, throughput to submission, latencies, and CPU per encounter by service."""
    cpu_ms = {
        name: round((cpu_after[name] - cpu_before[name]) * 1000 / max(1, len(posted)), 2)
        for name in cpu_after
        if name in cpu_before
    }
    submitted = [reached[e]["submitted"] - at for e, at in posted.items() if "submitted" in reached.get(e, {})]
    accepted = [reached[e]["accepted"] - at for e, at in posted.items() if "accepted" in reached.get(e, {})]
    last_submitted = max((reached[e]["submitted"] for e in posted if "submitted" in reached.get(e, {})), default=began)
    return {
        "encounters_coded": len(posted),
        "claims_submitted": len(submitted),
        "claims_accepted": len(accepted),
        "claims_held": sum("held" in reached.get(e, {}) for e in posted),
        "throughput_to_submitted_per_s": round(len(submitted) / max(0.001, last_submitted - began), 1),
        "post_to_submitted": percentiles(submitted),
        "post_to_accepted": percentiles(accepted),
        "cpu_ms_per_encounter": cpu_ms,
    }


def main() -> int:
    stack = LocalStack(PROFILES["bench"])
    stack.start(fresh=True)
    keys = Path(tempfile.mkdtemp(prefix="e2e-bench-"))
    generate_keypair(keys / "signing.pem", keys / "public.pem")
    issuer = TokenIssuer.from_file(keys / "signing.pem")
    generate_keypair(keys / "simulator-signing.pem", keys / "simulator-public.pem")
    clearinghouse = TokenIssuer.from_file(
        keys / "simulator-signing.pem", issuer=CLEARINGHOUSE_ISSUER, audience=CLEARINGHOUSE_AUDIENCE
    )
    day = timedelta(days=1)
    clearinghouse_token = clearinghouse.issue(tenant_id=uuid4(), roles=[CLEARINGHOUSE_ACCOUNT], lifetime=day)
    (keys / "clearinghouse-token").write_text(clearinghouse_token)
    new_ring_file(keys / "audit.key")  # identity alone signs tokens and chains the access log (`identitys_own`)
    supervisor = Supervisor(env=_env(stack, keys), log_dir=keys, only_for=identitys_own(keys))
    try:
        supervisor.start([IDENTITY, CAPTURE, SUBMISSION, SIMULATOR])
        roots = process_roots(stack, supervisor)
        tenant, roles = uuid4(), (Role.TENANT_ADMIN, Role.EHR_INTEGRATION)  # the practices' set-up, the encounters
        admin, ehr = (issuer.issue(tenant_id=tenant, roles=[role], lifetime=day) for role in roles)
        results = asyncio.run(measure(stack, (admin, ehr), clearinghouse_token, roots))
    finally:
        supervisor.stop()
        stack.stop()
    results |= {"cores": os.cpu_count(), "when": datetime.now(UTC).isoformat(timespec="seconds")}
    _report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS}")
    return 0


def _env(stack: LocalStack, keys: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "AUTH_PUBLIC_KEY_FILE": str(keys / "public.pem"),
        "SIMULATOR_PUBLIC_KEY_FILE": str(keys / "simulator-public.pem"),
        "CLEARINGHOUSE_URL": SIMULATOR.url,
        "CLEARINGHOUSE_TOKEN_FILE": str(keys / "clearinghouse-token"),
        "SUBMIT_INTERVAL_SECONDS": "0.5",
        "SIM_CYCLE_SECONDS": "2",
        # the bench's tenants set no submitter of their own: the installation's default sends their claims
        "DEFAULT_SUBMITTER_ID": "CSBENCH",
        "DEFAULT_SUBMITTER_NAME": "CLAIMSTREAM BENCH BILLING",
        "DEFAULT_SUBMITTER_CONTACT": "EDI DESK",
        "DEFAULT_SUBMITTER_PHONE": "5035550100",
        "LOG_LEVEL": "WARNING",
    }


def _report(results: dict[str, Any]) -> None:
    raw = results["raw"]
    print(f"\nend-to-end benchmark ({os.cpu_count()} cores; Kafka, PostgreSQL, 3 services and the load on one machine)")
    print(
        f"raw references: Kafka produce {raw['kafka_produce_per_s']:,}/s, "
        f"PostgreSQL insert {raw['postgres_insert_per_s']:,}/s, one-row commit {raw['postgres_commit_ms']} ms"
    )
    print(
        f"{'rate/s':>7}{'secs':>6}{'coded':>7}{'submitted':>10}{'accepted':>9}{'held':>6}{'thru/s':>8}"
        f"{'sub p50':>9}{'sub p99':>9}{'acc p50':>9}{'acc p99':>9}{'lag':>7}"
    )
    for p in results["phases"]:
        sub, acc = p["post_to_submitted"], p["post_to_accepted"]
        print(
            f"{p['target_rate']:>7}{p['seconds']:>6}{p['encounters_coded']:>7}{p['claims_submitted']:>10}"
            f"{p['claims_accepted']:>9}{p['claims_held']:>6}{p['throughput_to_submitted_per_s']:>8}"
            f"{sub.get('p50_s', '-'):>9}{sub.get('p99_s', '-'):>9}"
            f"{acc.get('p50_s', '-'):>9}{acc.get('p99_s', '-'):>9}"
            f"{p['worst_consumer_lag']:>7}"
        )
    top = max(results["phases"], key=lambda p: p["throughput_to_submitted_per_s"])
    print(f"throughput / raw Kafka produce: {top['throughput_to_submitted_per_s'] / raw['kafka_produce_per_s']:.2%}")
    print(f"CPU ms per encounter at {top['target_rate']}/s (every process and its children):")
    for name, ms in sorted(top["cpu_ms_per_encounter"].items(), key=lambda item: -item[1]):
        print(f"  {name:<34}{ms:>8.2f}")
    print(f"  {'total':<34}{sum(top['cpu_ms_per_encounter'].values()):>8.2f}")


if __name__ == "__main__":
    sys.exit(main())
