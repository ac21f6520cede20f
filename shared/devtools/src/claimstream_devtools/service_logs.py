"""What the services logged while a black-box test failed, beside the failure in pytest's report (a pytest plugin,
named in the root configuration's options).

A test sees only what it asked and what came back. A failure between two services, such as a request that one
of them never received, shows in their logs alone, and those stay in pytest's temporary folder, which keeps only
the last three runs. The report of a failed test that ran on the running services (the `services` fixture) gets
each process's warnings and errors, and the requests answered 5xx, logged while the test ran. The logs hold no
PHI (docs/security.md), so neither does the report."""

import json
from collections.abc import Generator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

NOTABLE_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
ACCESS_LOGGER = "claimstream.access"
SHOWN = 40  # the last lines: the failure is most often at the end
MARGIN = 1.0  # seconds either side of the test's phase: a process's clock and its log's flush


def notable_lines(log_dir: Path, since: float, until: float) -> list[str]:
    """The notable lines logged from `since` to `until` (epoch seconds), oldest first, each after its file's name;
    the last SHOWN of them."""
    found: list[tuple[float, str]] = []
    for path in sorted(log_dir.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            entry = _entry(line)
            at = _at(entry) if entry is not None and _notable(entry) else None
            if at is not None and since <= at <= until:
                found.append((at, f"{path.stem}: {line}"))
    return [line for _, line in sorted(found)][-SHOWN:]


def _entry(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None  # a line of another shape (a traceback's): the entry before it says what it is
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def _notable(entry: dict[str, Any]) -> bool:
    if entry.get("level") in NOTABLE_LEVELS:
        return True
    return entry.get("logger") == ACCESS_LOGGER and str(entry.get("status", "")).startswith("5")


def _at(entry: dict[str, Any]) -> float | None:
    try:
        return datetime.fromisoformat(str(entry["time"])).timestamp()
    except (KeyError, ValueError):
        return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    log_dir = getattr(getattr(item, "funcargs", {}).get("services"), "log_dir", None)
    if report.failed and isinstance(log_dir, Path):
        lines = notable_lines(log_dir, call.start - MARGIN, call.stop + MARGIN)
        if lines:
            report.sections.append(("what the services logged meanwhile", "\n".join(lines)))
    return report
