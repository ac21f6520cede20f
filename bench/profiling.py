"""Flame graphs of the hottest claimstream processes under load (issue 33): py-spy (requirements/dev.in) attached to
the processes that spent the most CPU per encounter in the last measured phase, once a further phase at its rate
has run long enough for work to reach every service. py-spy samples without stopping the process
(`--nonblocking`), so Python frames only: time in the database driver's compiled protocol shows as the driver's
Python frame that awaits it (`PreparedStatement.__do_execute`). Stopping each process for every sample, to unwind
its native stacks too, lost most samples on two busy cores and caught processes in their system calls far more
often than they are. Each profile is kept in bench/results/ as a flame graph (`flame-<process>.svg`) and as
collapsed stacks (`.txt`), and summarised: the share of the working samples (the event loop's waits apart) each
function was itself running in, the largest first. BENCH_PROFILE_SECONDS sets how long (0: none)."""

import asyncio
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PROFILE_SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS", "20"))
HOTTEST = 4  # processes profiled: the busiest of claimstream's own
WARM_SECONDS = 20  # of the profiled phase before sampling: the work has reached the last services by then
_LINE = re.compile(r":\d+\)$")
# A loop waiting for work: not CPU (py-spy leaves out the samples of a thread asleep in the kernel, unless `--idle`).
_WAITS = frozenset({"epoll_wait", "epoll_pwait", "select", "poll", "ppoll"})


async def profile_processes(roots: dict[str, int], hottest: list[str], folder: Path, after: float) -> dict[str, Any]:
    """The processes of `hottest`, profiled for PROFILE_SECONDS once `after` seconds have gone."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if PROFILE_SECONDS <= 0 or not Path(spy).exists():
        return {}
    await asyncio.sleep(after)
    await asyncio.gather(*(_record(spy, roots[name], _file(folder, name)) for name in hottest))
    graphs = {name: _file(folder, name).with_suffix(".svg").name for name in hottest}
    return {name: {"flame_graph": graphs[name], **_summary(name, folder)} for name in hottest}


def _file(folder: Path, name: str) -> Path:
    return folder / f"flame-{name.replace(' ', '-')}.txt"


async def _record(spy: str, pid: int, raw: Path) -> None:
    """The same samples' two forms at once: the flame graph and the collapsed stacks it is drawn from."""
    common = ["record", "--pid", str(pid), "--duration", str(PROFILE_SECONDS), "--rate", "100", "--nonblocking"]
    runs = [
        await asyncio.create_subprocess_exec(
            spy,
            *common,
            "--format",
            form,
            "--output",
            str(path),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for form, path in (("flamegraph", raw.with_suffix(".svg")), ("raw", raw))
    ]
    await asyncio.gather(*(run.wait() for run in runs))


def _summary(name: str, folder: Path, top: int = 8) -> dict[str, Any]:
    """The functions the samples were in (their own time), by share of all samples."""
    raw = _file(folder, name)
    if not raw.exists():
        return {"self_time_percent": {}, "samples": 0}
    leaves: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            leaves[_LINE.sub(")", stack.split(";")[-1])] += int(count)
    waiting = sum(n for leaf, n in leaves.items() if leaf.split(" ")[0] in _WAITS)  # the event loop, idle
    working = {leaf: n for leaf, n in leaves.items() if leaf.split(" ")[0] not in _WAITS}
    total = max(1, sum(working.values()))
    shares = {leaf: round(100 * n / total, 1) for leaf, n in Counter(working).most_common(top)}
    return {"self_time_percent": shares, "samples": sum(working.values()), "idle_samples": waiting}
