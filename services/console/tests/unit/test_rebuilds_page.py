"""The rebuilds page (pages/ops.py) on the projection's answer, without the services: the latest run's progress as
a labelled `<progress>` with its text beside it, reloading itself (no script: a Refresh header) while the run goes
on and writes, stoppable, and never once it has ended or stalled; an installation operator's page alone."""

from typing import Any

from claimstream_platform.access import declared
from claimstream_platform.auth import OPERATOR
from console.pages import ops
from starlette.requests import Request


def a_run(phase: str = "reading", done: int = 2500, total: int | None = 10000, **changed: Any) -> dict[str, Any]:
    """A run as the projection's `GET /v1/rebuilds` answers it."""
    ended = phase in ("finished", "refused", "failed")
    return {
        "id": "0b90385d-2b58-4689-9b38-d6cc42328ce1",
        "phase": phase,
        "started_at": "2026-12-05T11:32:05.986561Z",
        "updated_at": "2026-12-05T11:32:15.986561Z",
        "finished_at": "2026-12-05T11:32:15.986561Z" if ended else None,
        "records_total": total,
        "records_done": done,
        "fraction": None if total is None else done / total,
        "records_per_second": 250.0,
        "running": not ended,
        "stalled": False,
        "outcome": None,
    } | changed


class Projection:
    """The backend, answering the rebuilds it is given."""

    def __init__(self, *runs: dict[str, Any]) -> None:
        self.runs = list(runs)

    async def get(self, _token: str, service: str, path: str, _params: Any = None) -> dict[str, Any]:
        assert (service, path) == ("projection", "/v1/rebuilds")
        return {"items": self.runs}


async def opened(*runs: dict[str, Any], query: bytes = b"") -> tuple[int, dict[str, str], str]:
    scope = {"type": "http", "method": "GET", "path": "/ops/rebuilds", "query_string": query}
    request = Request(scope | {"headers": [(b"authorization", b"Bearer an-operators-token")]})
    refresh = "off" if b"refresh=off" in query else "on"
    answer = await ops.rebuilds(request, Projection(*runs), refresh)  # type: ignore[arg-type]
    return answer.status_code, dict(answer.headers), bytes(answer.body).decode()


async def test_a_running_rebuild_shows_its_progress_labelled_and_in_words_and_reloads_until_stopped() -> None:
    status, headers, html = await opened(a_run(), a_run("finished", 9000, 9000))
    assert status == 200 and headers["refresh"] == "3; url=/ops/rebuilds?reloaded=1"
    assert '<label for="rebuild-progress">Records read</label>' in html
    assert '<progress id="rebuild-progress" max="10000" value="2500">25%</progress>' in html
    assert "2,500 of 10,000 records read (25%), 250 a second" in html
    assert '<a href="?refresh=off">Stop reloading</a>' in html
    assert "Earlier rebuilds" in html and "9,000 of 9,000" in html
    assert "<script" not in html

    _, headers, html = await opened(a_run(), query=b"refresh=off")
    assert "refresh" not in headers and '<a href="?refresh=on">Reload until it ends</a>' in html


async def test_a_rebuild_that_ended_or_stalled_is_not_reloaded() -> None:
    for run in (a_run("finished", 10000), a_run("failed", outcome="ValueError"), a_run(stalled=True)):
        _, headers, html = await opened(run)
        assert "refresh" not in headers and "Stop reloading" not in html, run["phase"]
    _, _, html = await opened(a_run(stalled=True))
    assert "Latest: reading, stalled" in html and "has died or hangs" in html


async def test_a_rebuild_preparing_shows_a_progress_of_unknown_length_and_none_recorded_says_so() -> None:
    _, headers, html = await opened(a_run("preparing", 0, None))
    assert (
        '<progress id="rebuild-progress">Not known yet</progress>' in html
        and headers["refresh"] == "3; url=/ops/rebuilds?reloaded=1"
    )
    _, headers, html = await opened()
    assert "No rebuild has been recorded yet." in html and "refresh" not in headers


def test_the_page_is_an_installation_operators_alone() -> None:
    (route,) = [route for route in ops.router.routes if getattr(route, "path", None) == "/ops/rebuilds"]
    access = declared(route)
    assert access is not None and access.roles == frozenset({OPERATOR})
