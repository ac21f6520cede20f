"""What a reader works out from a rebuild's row (runs.py): the share read, the rate, and a run gone silent."""

from datetime import UTC, datetime, timedelta

from projection import runs

START = datetime(2026, 10, 1, 12, tzinfo=UTC)


def test_the_share_read_is_unknown_until_the_total_is_and_never_past_the_whole() -> None:
    assert runs.fraction(0, None) is None  # still preparing: the topics not yet asked
    assert runs.fraction(250, 1000) == 0.25
    assert runs.fraction(1000, 1000) == 1.0
    assert runs.fraction(1001, 1000) == 1.0
    assert runs.fraction(0, 0) == 1.0  # nothing to read: all of it read


def test_the_rate_is_records_a_second_from_the_start_to_the_last_write() -> None:
    assert runs.rate(5000, START, START + timedelta(seconds=10)) == 500
    assert runs.rate(0, START, START) == 0  # written once, at its start


def test_a_running_row_silent_past_two_minutes_is_stalled_and_an_ended_one_never() -> None:
    written = START
    assert not runs.stalled(runs.READING, written, written + timedelta(seconds=119))
    assert runs.stalled(runs.READING, written, written + timedelta(minutes=2, seconds=1))
    assert runs.stalled(runs.SWAPPING, written, written + timedelta(hours=1))
    for ended in (runs.FINISHED, runs.REFUSED, runs.FAILED):
        assert not runs.running(ended)
        assert not runs.stalled(ended, written, written + timedelta(days=3))
