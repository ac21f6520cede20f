"""A failed black-box test's report carries what the services logged while it ran: warnings, errors and requests
answered 5xx, oldest first, from every process's log; nothing from before or after it, nothing routine."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from claimstream_devtools.service_logs import SHOWN, notable_lines

pytest_plugins = ["pytester"]
START = datetime(2026, 12, 7, 7, 24, 40, tzinfo=UTC)


def _line(seconds: float, **fields: object) -> str:
    return json.dumps({"time": (START + timedelta(seconds=seconds)).isoformat(), "level": "INFO", **fields})


def _logs(folder: Path) -> Path:
    (folder / "console-api.log").write_text(
        "\n".join(
            [
                _line(1, logger="claimstream.access", route="/sign-in", status="303"),
                _line(9, logger="claimstream.access", route="/sign-in", status="503"),
                _line(30, logger="claimstream.access", route="/sign-in", status="502"),  # after the test
            ]
        )
    )
    (folder / "identity-worker.log").write_text(
        "\n".join(
            [
                "Traceback (most recent call last):",
                _line(-20, level="WARNING", message="before the test"),
                _line(5, level="WARNING", message="consumer waiting for the database"),
                "not json {",
            ]
        )
    )
    return folder


def test_the_lines_logged_while_the_test_ran_that_say_something_went_wrong(tmp_path: Path) -> None:
    since, until = START.timestamp(), (START + timedelta(seconds=10)).timestamp()
    lines = notable_lines(_logs(tmp_path), since, until)
    assert [line.split(": ", 1)[0] for line in lines] == ["identity-worker", "console-api"]  # by time, not by file
    assert "consumer waiting for the database" in lines[0] and '"status": "503"' in lines[1]


def test_only_the_last_lines_are_shown(tmp_path: Path) -> None:
    many = [_line(n / 100, level="ERROR", message=f"failure {n}") for n in range(SHOWN + 5)]
    (tmp_path / "projection-worker.log").write_text("\n".join(many))
    lines = notable_lines(tmp_path, START.timestamp(), (START + timedelta(seconds=10)).timestamp())
    assert len(lines) == SHOWN and f"failure {SHOWN + 4}" in lines[-1] and "failure 5" in lines[0]


def test_a_failed_test_on_the_services_reports_what_they_logged(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """The plugin, as pytest runs it: a failing test whose `services` has a log folder gets a section with what was
    logged while it ran; one that passes gets none."""
    log = tmp_path / "identity-api.log"
    pytester.makepyfile(
        f"""
        import json
        from datetime import UTC, datetime
        from pathlib import Path
        from types import SimpleNamespace

        import pytest

        @pytest.fixture
        def services():
            return SimpleNamespace(log_dir=Path({str(tmp_path)!r}))

        def _logged(message):
            line = {{"time": datetime.now(UTC).isoformat(), "level": "ERROR", "message": message}}
            with open({str(log)!r}, "a") as log:
                log.write(json.dumps(line) + "\\n")

        def test_fails(services):
            _logged("it broke")
            assert False

        def test_passes(services):
            _logged("it broke, and the test does not care")
        """
    )
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")  # as the root configuration
    result = pytester.runpytest("-p", "claimstream_devtools.service_logs")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*what the services logged meanwhile*", 'identity-api: *"it broke"*'])
    assert result.stdout.str().count("what the services logged meanwhile") == 1
