"""The service processes under the supervisor: how much memory one held at its peak while a test fed it (the
kernel's own high-water mark, reset first), and a worker started again with settings of the test's own."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from claimstream_devtools.devstack.processes import terminate
from claimstream_devtools.devstack.services import Supervised, Supervisor
from claimstream_devtools.running_services import Services

MIB = 1024 * 1024


def process(services: Services, service: str, role: str) -> Supervised:
    return next(c for c in services.supervisor.children if c.spec.name == service and c.role == role)


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak resident set) of a process, in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found


@dataclass
class Peak:
    """A process's resident memory before a test's input and at its peak while the services took it."""

    name: str
    pid: int
    before: int = 0
    peak: int = 0

    def __str__(self) -> str:
        return f"{self.name} {self.before / MIB:.0f} -> peak {self.peak / MIB:.0f} MiB"


@contextmanager
def peak_memory(services: Services, *names: tuple[str, str]) -> Iterator[list[Peak]]:
    """The peak resident memory of each (service, role) process while the block runs: the kernel's high-water
    mark (VmHWM), reset at the start (`clear_refs` 5), so a spike between two samples is not missed."""
    peaks = []
    for service, role in names:
        pid = process(services, service, role).process.pid  # type: ignore[union-attr]
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        peaks.append(Peak(f"{service} {role}", pid, before=_status(pid)["VmRSS"]))
    yield peaks
    for peak in peaks:
        peak.peak = _status(peak.pid)["VmHWM"]


@contextmanager
def worker_with(services: Services, service: str, settings: dict[str, str]) -> Iterator[Supervised]:
    """The service's worker stopped and started again with `settings` on top of its own; as it was afterwards."""
    supervisor: Supervisor = services.supervisor
    worker = process(services, service, "worker")
    assert worker.process is not None
    terminate(worker.process, timeout=20)
    env = {**supervisor.process_env(worker.spec, "worker"), **settings}
    log = (supervisor.log_dir / f"{service}-worker.log").open("ab")
    worker.process = subprocess.Popen(worker.command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        terminate(worker.process, timeout=20)
        supervisor.revive()
