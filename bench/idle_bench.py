"""`make bench`: what the stack costs doing little (issue 33's idle targets). Starts `make run` itself
(`claimstream_devtools.cli up`: every service with telemetry, audit, limits and row-level security as there, and
the demo's workload of 0.5 encounters/s), waits for its summary, then measures each process family's CPU as a share
of one core over `IDLE_SECONDS` (60): first with the demo's workload, then idle, the workload suspended (SIGSTOP) and
the pipeline given `IDLE_SETTLE_SECONDS` (30) to drain. Idle means no encounters: `make run`'s own demo schedules
still run (a billing-office day every 10 s, invoices every 10 s, plan charges every 30 s, status inquiries every
15 s), as they do for a person watching it. Prints both, claimstream's own total (Kafka, PostgreSQL, the simulator,
its workload and `make run`'s own process apart), beside the raw references of this machine (`raw_rates` on a stack
of the bench profile, measured after); writes bench/results/idle.json.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
from claimstream_devtools.devstack.stack import PROFILES
from measuring import described, on_a_fresh_stack, raw_rates

ROOT = Path(__file__).parents[1]
SECONDS = float(os.environ.get("IDLE_SECONDS", "60"))
SETTLE = float(os.environ.get("IDLE_SETTLE_SECONDS", "30"))
RESULTS = Path(__file__).parent / "results" / "idle.json"
READY = "demo workload"  # the last line `make run` prints once everything is up
NOT_OURS = (
    "kafka",
    "postgresql",
    "clearinghouse_simulator api",
    "clearinghouse_simulator worker",
    "workload",
    "make run",
)


def main() -> int:
    pgdata = PROFILES["run"].data_dir / "postgres" / "pgdata"
    log = Path(tempfile.mkdtemp(prefix="idle-bench-")) / "run.log"
    with log.open("w") as out:
        command = [sys.executable, "-m", "claimstream_devtools.cli", "up"]
        up = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
    workload: list[psutil.Process] = []
    try:
        _wait_for(up, log, READY, timeout=600)
        busy = _share_of_a_core(up.pid, pgdata, SECONDS)
        workload = _families(up.pid, pgdata).get("workload", [])
        if not workload:
            raise SystemExit("`make run` started no demo workload: nothing to pause")
        for process in workload:
            process.suspend()
        time.sleep(SETTLE)
        idle = _share_of_a_core(up.pid, pgdata, SECONDS)
    finally:
        _stop(up, workload)
    results = {
        "demo": busy,
        "idle": idle,
        "raw": on_a_fresh_stack(raw_rates),
        "seconds": SECONDS,
        "cores": os.cpu_count(),
    }
    results["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    _report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS}")
    return 0


def _wait_for(up: subprocess.Popen[bytes], log: Path, line: str, timeout: float) -> None:
    """Until `make run` has printed `line` (its log, read again each second), or has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and up.poll() is None:
        if line in log.read_text():
            return
        time.sleep(1)
    raise SystemExit(f"`make run` did not come up within {timeout:.0f} s (its log: {log})")


def _stop(up: subprocess.Popen[bytes], workload: list[psutil.Process]) -> None:
    """The workload woken first (a stopped process ignores the signal to end), then `make run`, as Ctrl-C does."""
    for process in workload:
        with contextlib.suppress(psutil.Error):
            process.resume()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(up.pid, signal.SIGINT)
    up.wait(timeout=180)


def _families(up_pid: int, pgdata: Path) -> dict[str, list[psutil.Process]]:
    """Every process of the stack by what it is: a service's api or worker, Kafka, PostgreSQL (its daemon is not
    `make run`'s child: found by its data directory), the workload."""
    found: dict[str, list[psutil.Process]] = {}
    for process in psutil.Process(up_pid).children(recursive=True):
        found.setdefault(_name(process), []).append(process)
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    root = psutil.Process(postmaster)
    found["postgresql"] = [root, *root.children(recursive=True)]
    found.pop("postgresql-tools", None)
    found["make run"] = [psutil.Process(up_pid)]  # its supervisor and mail sink
    return found


def _name(process: psutil.Process) -> str:
    try:
        command = process.cmdline()
    except psutil.Error:
        return "gone"
    if command and "java" in command[0]:
        return "kafka"
    if command and "postgres" in command[0]:
        return "postgresql-tools"  # pg_ctl and the like, counted with the daemon's family instead
    if "-m" in command:
        module = command[command.index("-m") + 1]
        role = command[command.index("-m") + 2] if len(command) > command.index("-m") + 2 else ""
        return "workload" if module.endswith(".workload") else f"{module} {role}".strip()
    return "other"


def _share_of_a_core(up_pid: int, pgdata: Path, seconds: float) -> dict[str, float]:
    """Per family, the CPU its processes spent over the window divided by its length (1.0: one core busy). Each
    process counts what it spent within the window (a new one all of it) and what its children that ended did (the
    time its parent reaped: a PostgreSQL backend, a closed connection's), less what those had spent before."""
    before, clock = _cpu_by_process(up_pid, pgdata), time.monotonic()
    time.sleep(seconds)
    after, elapsed = _cpu_by_process(up_pid, pgdata), time.monotonic() - clock
    spent: dict[str, float] = {}
    for pid, (family, cpu) in after.items():
        spent[family] = spent.get(family, 0.0) + cpu - before.get(pid, (family, 0.0))[1]
    for pid, (family, cpu) in before.items():
        if pid not in after:
            spent[family] = spent.get(family, 0.0) - cpu  # counted again in its parent's reaped time
    return {family: round(total / elapsed, 4) for family, total in spent.items()}


def _cpu_by_process(up_pid: int, pgdata: Path) -> dict[int, tuple[str, float]]:
    """Each process's family and CPU seconds, its reaped children's included."""
    found = {}
    for family, processes in _families(up_pid, pgdata).items():
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            found[process.pid] = (family, times.user + times.system + times.children_user + times.children_system)
    return found


def _report(results: dict[str, object]) -> None:
    raw = results["raw"]
    assert isinstance(raw, dict)
    print(f"\nidle benchmark ({os.cpu_count()} cores; `make run`'s stack, share of one core over {SECONDS:.0f} s)")
    print(f"raw references: {described(raw)}")
    demo, idle = results["demo"], results["idle"]
    assert isinstance(demo, dict) and isinstance(idle, dict)
    print(f"{'process':<40}{'demo 0.5/s':>11}{'idle':>8}   (idle: no encounters; the demo's own schedules run)")
    for name in sorted(demo, key=lambda n: -demo[n]):
        print(f"{name:<40}{demo[name]:>11.1%}{idle.get(name, 0):>8.1%}")
    ours = [name for name in demo if name not in NOT_OURS]
    print(f"{'claimstream (every service of ours)':<40}{sum(demo[n] for n in ours):>11.1%}", end="")
    print(f"{sum(idle.get(n, 0) for n in ours):>8.1%}")
    print(f"{'everything':<40}{sum(demo.values()):>11.1%}{sum(idle.values()):>8.1%}")


if __name__ == "__main__":
    sys.exit(main())
