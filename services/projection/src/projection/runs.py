"""A rebuild's run as its row records it (`rebuilds`, written by rebuild_progress.py): its phases, and what a reader
works out from the row: the share of the records read, the rate, and whether a run that says it runs has stopped
writing. Pure."""

from datetime import datetime, timedelta

# The steps of `python -m projection rebuild`, in order (rebuild.py), then how it ended.
PREPARING, READING, FOLDING = "preparing", "reading", "folding"
COMPARING, SWAPPING, CATCHING_UP = "comparing", "swapping", "catching_up"
FINISHED, REFUSED, FAILED = "finished", "refused", "failed"
ENDED = frozenset({FINISHED, REFUSED, FAILED})

# A running rebuild writes its row every second; one silent this long has died (killed, its machine gone) before it
# could write how it ended, or its process is held up.
STALLED_AFTER = timedelta(minutes=2)


def running(phase: str) -> bool:
    return phase not in ENDED


def stalled(phase: str, updated_at: datetime, now: datetime) -> bool:
    """Running by its row, but nothing written for STALLED_AFTER (`now` by the clock that wrote `updated_at`)."""
    return running(phase) and now - updated_at > STALLED_AFTER


def fraction(done: int, total: int | None) -> float | None:
    """The share of the records read, 0 to 1; None until the reading knows how many there are (none to read: all
    read)."""
    if total is None:
        return None
    return min(done / total, 1.0) if total > 0 else 1.0


def rate(done: int, started_at: datetime, updated_at: datetime) -> float:
    """Records read a second, from the run's start to its row's last write."""
    seconds = (updated_at - started_at).total_seconds()
    return done / seconds if seconds > 0 else 0.0
