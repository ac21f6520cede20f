"""The fault-injection seam of the reliability suite (tests/reliability, docs/reliability.md): named points in the
runtime where a test may kill the process or hold it, so that a crash or a slow commit lands inside the window
under test (after the broker acknowledged a batch, between a database commit and an offset commit), not when the
process happens to be idle.

Inert unless `CLAIMSTREAM_FAULTS` names a directory when the process starts: the variable is read once, at import,
and without it every point returns at once. A test arms a point by writing a file `<service>.<point>` into that
directory:

- `kill N`: the N-th pass after the file was seen kills the process with SIGKILL (no cleanup, no flush: what a
  power cut or the kernel's OOM killer does). The file is renamed to `<service>.<point>.fired` first, so the process
  that is started again does not die at once, and the test sees that the kill happened.
- `delay S`: every pass waits S seconds while the file is there (a slow commit, a stuck transaction).
"""

import asyncio
import logging
import os
import signal
from pathlib import Path

log = logging.getLogger(__name__)
_DIRECTORY = os.environ.get("CLAIMSTREAM_FAULTS") or None
_SERVICE = os.environ.get("SERVICE_NAME", "service")
_passes: dict[tuple[str, int], int] = {}  # (point, the arming file's identity): passes seen since it was armed

# The points the runtime offers (a test arms one by name).
OUTBOX_ACKED = "outbox.acked"  # the broker acknowledged a batch; its rows are not yet marked sent
CONSUMER_APPLIED = "consumer.applied"  # a batch's transaction committed; its offset is not yet committed
CONSUMER_BEFORE_COMMIT = "consumer.before-commit"  # a batch's handlers ran; its transaction is not yet committed


def enabled() -> bool:
    return _DIRECTORY is not None


async def point(name: str) -> None:
    """Pass the named point: nothing happens unless the seam is enabled and a test armed it."""
    if _DIRECTORY is None:
        return
    armed = Path(_DIRECTORY) / f"{_SERVICE}.{name}"
    try:
        stat, order = armed.stat(), armed.read_text().split()
    except OSError:  # not armed (or disarmed while we looked)
        return
    if order[:1] == ["delay"]:
        await asyncio.sleep(float(order[1]))
        return
    key = (name, stat.st_ino ^ stat.st_mtime_ns)
    _passes[key] = _passes.get(key, 0) + 1
    if order[:1] == ["kill"] and _passes[key] >= int(order[1]):
        armed.rename(armed.with_name(armed.name + ".fired"))
        log.warning("fault injected: killing the process", extra={"point": name})
        os.kill(os.getpid(), signal.SIGKILL)
