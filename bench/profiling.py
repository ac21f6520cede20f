"""Flame graphs of the hottest claimstream processes under load (issue 33): py-spy (requirements/dev.in) attached to
each, native frames included (the time spent in PostgreSQL's driver and the socket shows as such), for a while of a
phase that is not counted (sampling native stacks pauses the process a moment each time). Each profile is kept in
bench/results/ as a flame graph (`flame-<process>.svg`) and as collapsed stacks (`.txt`), and summarised: the share
of the working samples (the event loop's waits apart) each function was itself running in, the largest first.
BENCH_PROFILE_SECONDS sets how long (0: none)."""

import asyncio
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from measuring import cpu_seconds

PROFILE_SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS", "20"))
HOTTEST = 4  # processes profiled: the busiest of claimstream's own
_LINE = re.compile(r":\d+\)$")
_WAITS = frozenset({"epoll_wait", "epoll_pwait", "select", "poll", "ppoll"})  # a loop waiting for work: not CPU


async def profile_hottest(roots: dict[str, int], ours: list[str], folder: Path, after: float) -> dict[str, Any]:
    """Once `after` seconds of the phase are gone, the processes of `ours` that spent the most CPU in the next 5 s,
    profiled for PROFILE_SECONDS."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if PROFILE_SECONDS <= 0 or not Path(spy).exists():
        return {}
    await asyncio.sleep(after)
    before = cpu_seconds({name: roots[name] for name in ours})
    await asyncio.sleep(5)
    spent = cpu_seconds({name: roots[name] for name in ours})
    hottest = sorted(spent, key=lambda name: spent[name] - before.get(name, 0), reverse=True)[:HOTTEST]
    await asyncio.gather(*(_record(spy, roots[name], _file(folder, name)) for name in hottest))
    graphs = {name: _file(folder, name).with_suffix(".svg").name for name in hottest}
    return {name: {"flame_graph": graphs[name], **_summary(name, folder)} for name in hottest}


def _file(folder: Path, name: str) -> Path:
    return folder / f"flame-{name.replace(' ', '-')}.txt"


async def _record(spy: str, pid: int, raw: Path) -> None:
    """The same samples' two forms at once: the flame graph and the collapsed stacks it is drawn from."""
    common = ["record", "--pid", str(pid), "--duration", str(PROFILE_SECONDS), "--rate", "100", "--native"]
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
