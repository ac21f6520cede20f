"""The fault-injection seam: inert unless enabled at start, and when armed it kills on the N-th pass or delays."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# A process that passes the point three times, printing after each pass that survived.
PASSES = """
import asyncio
from claimstream_platform import faults
async def main():
    for n in range(1, 4):
        await faults.point("outbox.acked")
        print(n, flush=True)
asyncio.run(main())
"""


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SERVICE_NAME": "billing", **env}
    return subprocess.run([sys.executable, "-c", PASSES], env=environment, capture_output=True, text=True, timeout=60)


def test_an_armed_kill_point_kills_on_its_nth_pass_and_disarms_itself(tmp_path: Path) -> None:
    (tmp_path / "billing.outbox.acked").write_text("kill 2\n")
    died = _run({"CLAIMSTREAM_FAULTS": str(tmp_path)})
    assert died.returncode == -signal.SIGKILL and died.stdout.split() == ["1"]
    assert (tmp_path / "billing.outbox.acked.fired").exists() and not (tmp_path / "billing.outbox.acked").exists()
    assert _run({"CLAIMSTREAM_FAULTS": str(tmp_path)}).stdout.split() == ["1", "2", "3"]  # started again: lives


def test_the_seam_is_inert_without_the_variable_even_when_a_file_is_armed(tmp_path: Path) -> None:
    (tmp_path / "billing.outbox.acked").write_text("kill 1\n")
    lived = _run({"CLAIMSTREAM_FAULTS": ""})
    assert lived.returncode == 0 and lived.stdout.split() == ["1", "2", "3"]


def test_another_services_point_is_not_armed_for_this_one(tmp_path: Path) -> None:
    (tmp_path / "claims.outbox.acked").write_text("kill 1\n")
    assert _run({"CLAIMSTREAM_FAULTS": str(tmp_path)}).returncode == 0


def test_a_delay_holds_every_pass(tmp_path: Path) -> None:
    (tmp_path / "billing.outbox.acked").write_text("delay 0.4\n")
    started = time.monotonic()
    held = _run({"CLAIMSTREAM_FAULTS": str(tmp_path)})
    assert held.returncode == 0 and time.monotonic() - started >= 1.2
