"""A loop's heartbeat row: written when it says something new, and otherwise at most every WRITE_EVERY seconds."""

from typing import Any

import pytest
from claimstream_platform import heartbeats


@pytest.fixture
def rows(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    written: list[str | None] = []

    async def write(*_: Any, error: str | None = None) -> None:
        written.append(error)

    monkeypatch.setattr(heartbeats, "write", write)
    return written


async def test_good_passes_write_a_row_at_most_every_few_seconds_and_failures_at_once(rows: list[str | None]) -> None:
    heartbeat = heartbeats.Heartbeat(None, "claim_submission.submit", 2.0)  # type: ignore[arg-type]
    await heartbeat.beat()
    await heartbeat.beat()  # nothing new, written a moment ago
    assert rows == [None]
    await heartbeat.beat("OperationalError")
    await heartbeat.beat("OperationalError")  # each failed pass is written
    await heartbeat.beat()  # the first good pass after them: readiness must see it at once
    await heartbeat.beat()
    assert rows == [None, "OperationalError", "OperationalError", None]
    heartbeat._written_at -= heartbeats.WRITE_EVERY  # type: ignore[operator]
    await heartbeat.beat()
    assert rows == [None, "OperationalError", "OperationalError", None, None]


async def test_a_row_that_could_not_be_written_is_written_at_the_next_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str | None] = []

    async def down(*_: Any, error: str | None = None) -> None:
        attempts.append(error)
        raise ConnectionRefusedError

    monkeypatch.setattr(heartbeats, "write", down)
    heartbeat = heartbeats.Heartbeat(None, "eligibility.pending", 2.0)  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(ConnectionRefusedError):
            await heartbeat.beat()
    assert attempts == [None, None]
