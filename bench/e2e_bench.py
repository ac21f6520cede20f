"""`make bench`: the whole cycle, every service, on this machine. Starts Kafka and PostgreSQL (the `bench` profile) and
every service as `make run` runs them (`running_services.running`: migrate, api and worker processes, with
telemetry, audit, limits and row-level security as there, and `make run`'s loop cadences); sets up practices and
enrolls patients through the public APIs; then, per phase, posts encounters at a target rate through the EHR API
(batches of 50) and follows each (`cycle.py`, from the phase's start) to its claim submitted, accepted (277CA),
remitted (its 835 posted) and visible in the projection, until all are visible or none has reached a followed stage
for `cycle.QUIET_SECONDS`. Prints throughput, p50/p99 per stage, the worst lag per consumer group, CPU ms per
encounter per process up to the end of the posting or the last poll after it that found an encounter further on (the
load generator, the simulator, Kafka and PostgreSQL apart from claimstream's own), the events and SQL statements per
encounter of each service (pg_stat_statements, up to the end of the follow) and the busiest statements of the four
services that run the most (every service's in e2e.json), and the raw Kafka and PostgreSQL rates of the same run;
then, in one more phase of new visits at the last rate that is not counted, profiles the four processes of ours that
spent the most in the last measured phase (profiling.py: flame graphs in bench/results/); writes
bench/results/e2e.json.
BENCH_E2E_PHASES="100:30,300:60" sets rate:seconds per phase.
"""

import asyncio
import functools
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.devstack.stack import PROFILES, LocalStack
from claimstream_devtools.running_services import Services, running
from claimstream_devtools.testing import Keys, StackUnderTest, new_keys
from claimstream_platform.auth import Role
from claimstream_platform.dates import business_date
from clearinghouse_simulator.workload import encounter, plan_practice, set_up
from cycle import STAGES, Cycle, GroupLags, busiest, events, follow, longest, statements
from measuring import BENCH_PORT_OFFSET, LOAD, cpu_seconds, described, percentiles, process_roots, raw_rates
from profiling import HOTTEST, PROFILE_SECONDS, WARM_SECONDS, profile_processes

PHASES = [tuple(int(x) for x in p.split(":")) for p in os.environ.get("BENCH_E2E_PHASES", "100:30,300:60").split(",")]
BATCH = 50
RESULTS = Path(__file__).parent / "results" / "e2e.json"
NOT_OURS = ("kafka", "postgresql", LOAD, "clearinghouse-simulator api", "clearinghouse-simulator worker")
# `make run`'s cadences (devstack/run.py), over the tests' one-second ones; the submission loop and the payers'
# cycle as the tests run them, so that a claim is not waiting on a timer the measure would then report.
CADENCES = {
    "STATEMENT_LOOP_SECONDS": "60",
    "REFUND_LOOP_SECONDS": "5",
    "PLAN_LOOP_SECONDS": "30",
    "INVOICE_LOOP_SECONDS": "10",
    "STATUS_INQUIRY_LOOP_SECONDS": "15",
    "SIM_CYCLE_SECONDS": "2",
    "LOG_LEVEL": "WARNING",
}


async def phase(
    capture: httpx.AsyncClient, plans: list[Any], rate: int, seconds: int, lags: GroupLags, cycle: Cycle, seed: str = ""
) -> None:
    """Post `rate` encounters a second for `seconds` (open loop, in batches) into `cycle`, sampling the lags every
    2 s. Phases of one seed and rate post the same visits: charge capture takes the second's as repeats, and nothing
    more flows."""
    rng = random.Random(f"{seed}{rate}" if seed else rate)
    started, sent, total, next_lag = time.time(), 0, rate * seconds, 0.0
    pending: list[asyncio.Task[None]] = []

    async def post(bodies: list[dict[str, Any]], at: float) -> None:
        for _ in range(20):  # a busy service answers 503 or 429 with Retry-After: wait as told, as EHRs should
            response = await capture.post("/v1/encounters/batch", json={"encounters": bodies})
            if response.status_code not in (429, 503):
                break
            cycle.refused[response.status_code] = cycle.refused.get(response.status_code, 0) + 1
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        response.raise_for_status()
        for result in response.json()["results"]:
            if result["outcome"] == "created" and result["encounter"]["status"] == "coded":
                cycle.posted[result["encounter"]["id"]] = at

    while sent < total:
        await asyncio.sleep(max(0.0, started + sent / rate - time.time()))
        bodies = [encounter(rng, rng.choice(plans), today=business_date(), defect_share=0) for _ in range(BATCH)]
        pending.append(asyncio.create_task(post(bodies, time.time())))
        sent += BATCH
        if time.time() >= next_lag:
            await lags.sample()
            next_lag = time.time() + 2
    await asyncio.gather(*pending)


async def measure(stack: LocalStack, services: Services, keys: Keys, roots: dict[str, int]) -> dict[str, Any]:
    results: dict[str, Any] = {"raw": await raw_rates(stack), "phases": []}
    tenant_id = uuid4()  # one billing company: its admin sets the practices up, its EHR posts the encounters
    tenant = keys.issuer.issue(tenant_id=tenant_id, roles=[Role.TENANT_ADMIN])
    ehr = keys.issuer.issue(tenant_id=tenant_id, roles=[Role.EHR_INTEGRATION])
    plans = [plan_practice(random.Random(11), index, patients=300) for index in range(4)]
    async with (
        httpx.AsyncClient(base_url=services.charge_capture, headers=_bearer(tenant), timeout=120) as setting_up,
        httpx.AsyncClient(base_url=services.charge_capture, headers=_bearer(ehr), timeout=120) as capture,
        httpx.AsyncClient(base_url=services.simulator, headers=services.clearinghouse_auth, timeout=120) as sim,
        GroupLags(stack.bootstrap_servers) as lags,
    ):
        await set_up(setting_up, sim, plans, business_date())
        for rate, seconds in PHASES:
            posting = functools.partial(phase, capture, plans, rate, seconds, lags)
            figures = await measure_phase(stack.database_url, roots, lags, posting)
            results["phases"].append({"target_rate": rate, "seconds": seconds, **figures, "worst_lag": lags.worst})
        if PROFILE_SECONDS > 0:  # one more phase at the last rate, not counted: the profiler slows what it samples
            spent = results["phases"][-1]["cpu_ms_per_encounter"]
            hottest = sorted((name for name in spent if name not in NOT_OURS), key=spent.__getitem__, reverse=True)
            hottest = hottest[:HOTTEST]
            profiling = asyncio.create_task(profile_processes(roots, hottest, RESULTS.parent, after=WARM_SECONDS))
            seconds = WARM_SECONDS + PROFILE_SECONDS + 5
            await phase(capture, plans, PHASES[-1][0], seconds, lags, Cycle(), seed="profiled ")
            results["profiles"] = await profiling
    return results


async def measure_phase(
    database_url: str, roots: dict[str, int], lags: GroupLags, post: Callable[[Cycle], Coroutine[Any, Any, None]]
) -> Any:
    """A counted phase (`post`), its encounters followed from its start, and what it cost: the CPU up to the end of
    the posting or the last poll after it that found an encounter further on (the stack idling after that is the
    idle bench's), the events and statements up to the end of the follow (its last QUIET_SECONDS included)."""
    events_before = await events(database_url)  # before the CPU is read: its queries are not the phase's
    statements_before = await statements(database_url)
    began, cpu_before, cycle = time.time(), cpu_seconds(roots), Cycle()
    lags.reset()
    at_last_move = cpu_before

    def moved(*_: object) -> None:
        nonlocal at_last_move
        at_last_move = cpu_seconds(roots)

    async with asyncio.TaskGroup() as both:  # either failing cancels the other
        posting = both.create_task(post(cycle))
        posting.add_done_callback(moved)
        both.create_task(follow(database_url, cycle, posting, timeout=240, moved=moved))
    await lags.sample()
    figures = phase_figures(cycle, began, cpu_before, at_last_move)
    figures["claimstream_cpu_ms_per_encounter_to_the_follow_s_end"] = phase_figures(
        cycle, began, cpu_before, cpu_seconds(roots)
    )["claimstream_cpu_ms_per_encounter"]
    figures["short_of_visible"] = cycle.short_of_visible()
    figures["events_per_encounter"] = per_encounter(events_before, await events(database_url), cycle)
    statements_after = await statements(database_url)
    most = busiest(statements_before, statements_after, len(cycle.posted))
    figures["busiest_statements"] = {s: q for s, q in most.items() if s in figures["events_per_encounter"]}  # ours
    figures["longest_statements"] = longest(statements_before, statements_after, len(cycle.posted))  # the bench's too
    return figures


def phase_figures(cycle: Cycle, began: float, cpu_before: Any, cpu_after: Any) -> dict[str, Any]:
    """What one phase reached: counts and latencies per stage, throughput to submitted, CPU per encounter."""
    encounters = max(1, len(cycle.posted))
    cpu_ms = {
        name: round((cpu_after[name] - cpu_before[name]) * 1000 / encounters, 2)
        for name in cpu_after
        if name in cpu_before
    }
    submitted = [cycle.reached[e]["submitted"] for e in cycle.posted if "submitted" in cycle.reached.get(e, {})]
    return {
        "encounters_coded": len(cycle.posted),
        "batches_refused_then_sent_again": cycle.refused,
        "claims_held": cycle.count("held"),
        "claims_rejected": cycle.count("rejected"),
        **{f"claims_{stage}": cycle.count(stage) for stage in STAGES},
        "throughput_to_submitted_per_s": round(len(submitted) / max(0.001, max(submitted, default=began) - began), 1),
        **{f"post_to_{stage}": percentiles(cycle.latencies(stage)) for stage in STAGES},
        "cpu_ms_per_encounter": cpu_ms,
        "claimstream_cpu_ms_per_encounter": round(sum(ms for n, ms in cpu_ms.items() if n not in NOT_OURS), 2),
    }


def per_encounter(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], cycle: Cycle) -> Any:
    """Events each service published and applied per encounter in the phase (its follow-through included)."""
    encounters = max(1, len(cycle.posted))
    return {
        schema: {
            kind: round((after[schema][kind] - before.get(schema, {}).get(kind, 0)) / encounters, 2) for kind in kinds
        }
        for schema, kinds in after.items()
    }


def main() -> int:
    local = LocalStack(PROFILES["bench"])
    local.start(fresh=True)
    folder = Path(tempfile.mkdtemp(prefix="e2e-bench-"))
    (folder / "keys").mkdir()
    (folder / "clearinghouse-keys").mkdir()
    keys, clearinghouse = new_keys(folder / "keys"), new_keys(folder / "clearinghouse-keys", clearinghouse=True)
    mail = local.mail.folder if local.mail else None
    stack = StackUnderTest(local.database_url, local.bootstrap_servers, local.broker, local.postgres, local.smtp, mail)
    try:
        with running(stack, keys, clearinghouse, folder, port_offset=BENCH_PORT_OFFSET, extra_env=CADENCES) as services:
            roots = process_roots(local, services.supervisor)
            results = asyncio.run(measure(local, services, keys, roots))
    finally:
        local.stop()
    results |= {"cores": os.cpu_count(), "when": datetime.now(UTC).isoformat(timespec="seconds")}
    _report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS}")
    return 0


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _report(results: dict[str, Any]) -> None:
    raw = results["raw"]
    print(f"\nend-to-end benchmark ({os.cpu_count()} cores; Kafka, PostgreSQL, every service and the load)")
    print(f"raw references: {described(raw)}")
    print(f"{'rate/s':>7}{'secs':>6}{'coded':>7}{'held':>6}{'rej.':>6}{'thru/s':>8}  stage: reached, p50 s, p99 s")
    for p in results["phases"]:
        print(
            f"{p['target_rate']:>7}{p['seconds']:>6}{p['encounters_coded']:>7}{p['claims_held']:>6}"
            f"{p['claims_rejected']:>6}{p['throughput_to_submitted_per_s']:>8}"
        )
        for s in STAGES:
            latency = p[f"post_to_{s}"]
            print(f"{'':>42}{s:<10}{p[f'claims_{s}']:>7}{latency.get('p50_s', '-'):>8}{latency.get('p99_s', '-'):>8}")
        if p["batches_refused_then_sent_again"]:
            print(f"{'':>42}batches refused, then sent again after Retry-After: {p['batches_refused_then_sent_again']}")
        if p["short_of_visible"]:
            print(f"{'':>42}never visible, by the furthest stage reached: {p['short_of_visible']}")
    top = max(results["phases"], key=lambda p: p["throughput_to_submitted_per_s"])
    print(f"throughput / raw Kafka produce: {top['throughput_to_submitted_per_s'] / raw['kafka_produce_per_s']:.2%}")
    _report_costs(top)
    for name, profile in results.get("profiles", {}).items():
        samples = f"{profile['samples']} samples of it not asleep"
        print(f"profile of {name} (bench/results/{profile['flame_graph']}; {samples}), own time:")
        for function, share in profile["self_time_percent"].items():
            print(f"  {share:>5.1f} %  {function[:100]}")


def _report_costs(top: dict[str, Any]) -> None:
    """The fastest phase's lags, CPU per process, events and statements per service, and busiest statements."""
    print(f"worst lag per consumer group at {top['target_rate']}/s: {top['worst_lag']}")
    print(
        f"CPU ms per encounter at {top['target_rate']}/s (every process and its children, up to the end of the "
        "posting or the last poll after it that found an encounter further on):"
    )
    for name, ms in sorted(top["cpu_ms_per_encounter"].items(), key=lambda item: -item[1]):
        print(f"  {name:<34}{ms:>8.2f}")
    print(f"  {'claimstream, every service of ours':<34}{top['claimstream_cpu_ms_per_encounter']:>8.2f}")
    print("  (Kafka, PostgreSQL, the simulator and the load generator apart)")
    print(
        f"events and statements per encounter at {top['target_rate']}/s (published, applied, SQL; up to the end of "
        "the follow), by service:"
    )
    for schema, counts in top["events_per_encounter"].items():
        print(f"  {schema:<34}{counts['published']:>8.2f}{counts['applied']:>8.2f}{counts['statements']:>8.1f}")
    print("PostgreSQL's longest statements, ms per encounter and per call (waits for locks included), by role:")
    for each in top["longest_statements"]:
        print(f"  {each['ms_per_encounter']:>7.2f}{each['mean_ms']:>9.1f}  {each['service']:<20}{each['query'][:80]}")
    for schema, most in sorted(top["busiest_statements"].items(), key=lambda item: -sum(item[1].values()))[:4]:
        print(f"  {schema}'s busiest statements, per encounter:")
        for query, calls in most.items():
            print(f"    {calls:>6.2f}  {query[:110]}")


if __name__ == "__main__":
    sys.exit(main())
