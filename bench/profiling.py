"""Flame graphs of the hottest claimstream processes under load (issue 33): py-spy (requirements/dev.in) attached to
the processes that spent the most CPU per encounter in the last measured phase, once a further phase at its rate
has run WARM_SECONDS. py-spy samples without stopping the process (`--nonblocking`), so Python frames only: time in
the database driver's compiled protocol shows under the Python frame that called into it (binding and sending a
statement under `PreparedStatement.__do_execute`; reading the answer, which the event loop's callbacks do, under
`Runner.run`). Stopping each process for every sample, to unwind its native stacks too, lost most samples on two
busy cores and caught the processes in their system calls far more often than they are. py-spy leaves out the
samples of a process asleep, waiting for work; the others include its time waiting for a core. Each profile is kept
in bench/results/ as a flame graph (`flame-<process>.svg`) and as collapsed stacks (`.txt`), and summarised: the
share of the samples each function was itself running in, the largest first. BENCH_PROFILE_SECONDS sets how long
(0: none)."""

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
# Of the profiled phase before sampling: at 50/s the work reaches the last services well within it (a rate past
# what the machine takes keeps the later services waiting longer).
WARM_SECONDS = 20
_LINE = re.compile(r":\d+\)$")


async def profile_processes(roots: dict[str, int], hottest: list[str], folder: Path, after: float) -> dict[str, Any]:
    """The processes of `hottest`, profiled for PROFILE_SECONDS once `after` seconds have gone."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if PROFILE_SECONDS <= 0 or not Path(spy).exists():
        return {}
    await asyncio.sleep(after)
    folder.mkdir(parents=True, exist_ok=True)  # a fresh checkout has none: py-spy would write nothing
    await asyncio.gather(*(_record(spy, roots[name], _file(folder, name)) for name in hottest))
    graphs = {name: _file(folder, name).with_suffix(".svg").name for name in hottest}
    return {name: {"flame_graph": graphs[name], **_summary(name, folder)} for name in hottest}


def _file(folder: Path, name: str) -> Path:
    return folder / f"flame-{name.replace(' ', '-')}.txt"


async def _record(spy: str, pid: int, raw: Path) -> None:
    """A flame graph and the collapsed stacks, by two samplers of the same while (py-spy writes one form a run)."""
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
    total = max(1, sum(leaves.values()))
    shares = {leaf: round(100 * n / total, 1) for leaf, n in leaves.most_common(top)}
    return {"self_time_percent": shares, "samples": sum(leaves.values())}
