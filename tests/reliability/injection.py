"""The test's side of the fault-injection seam (`claimstream_platform.faults`): arm a point of one service, wait
until it fired, start the killed process again."""

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from claimstream_devtools.devstack.services import Supervisor


@dataclass
class Faults:
    directory: Path
    supervisor: Supervisor

    def services(self) -> list[str]:
        """The names of the services whose workers run (each passes the platform's points)."""
        return sorted({child.spec.name for child in self.supervisor.children if child.role == "worker"})

    def arm(self, service: str, point: str, order: str) -> None:
        """`order` is `kill N` or `delay S` (claimstream_platform.faults)."""
        (self.directory / f"{service}.{point}.fired").unlink(missing_ok=True)
        armed = self.directory / f"{service}.{point}"
        writing = armed.with_name(armed.name + ".tmp")
        writing.write_text(order + "\n")
        writing.replace(armed)  # whole, never half written when a process reads it

    def fired(self, service: str, point: str) -> bool:
        return (self.directory / f"{service}.{point}.fired").exists()

    def disarm_all(self) -> list[str]:
        """Disarm what has not fired; returns which points were still armed."""
        left = [path.name for path in self.directory.iterdir() if not path.name.endswith((".fired", ".tmp"))]
        for name in left:
            (self.directory / name).unlink(missing_ok=True)
        return left

    async def revive_when_killed(self, service: str, point: str, *, within: float) -> bool:
        """Wait (bounded) until the point fired, then start the killed worker again at once; False if it never
        fired in time."""
        deadline = time.monotonic() + within
        while not self.fired(service, point):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        await self.exited(service)
        self.supervisor.revive()
        return True

    async def exited(self, service: str) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            worker = next(c for c in self.supervisor.children if c.spec.name == service and c.role == "worker")
            if worker.process is not None and worker.process.poll() is not None:
                return
            await asyncio.sleep(0.02)
