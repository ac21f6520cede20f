"""Issue 33: what a process loaded to start is moved out of the collector's generations before it serves, so a full
collection walks only what the process made since (under load, full collections had taken a large share of the
workers' CPU: docs/performance.md). Run in a process of its own: freezing is for the process's whole life."""

import subprocess
import sys

_STARTED = (
    "import gc, claimstream_platform.kit, claimstream_platform.messaging.consumer\n"
    "from claimstream_platform.entrypoint import settle_the_collector\n"
    "before = len(gc.get_objects())\n"
    "settle_the_collector()\n"
    "print(before, gc.get_freeze_count(), len(gc.get_objects()), gc.get_threshold()[0])\n"
)


def test_what_a_process_loaded_to_start_is_left_out_of_every_full_collection() -> None:
    ran = subprocess.run([sys.executable, "-c", _STARTED], capture_output=True, text=True, check=True, timeout=60)
    tracked, frozen, left, youngest = (int(n) for n in ran.stdout.split())
    assert tracked > 50_000  # a service's modules, models and validators
    assert frozen >= tracked * 0.9 and left < tracked / 20
    assert youngest > 700  # collected less often than CPython's default
