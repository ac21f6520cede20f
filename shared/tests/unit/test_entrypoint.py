"""Issue 33: what a process loaded to start is moved out of the collector's generations before it serves, so a full
collection walks only what the process made since (under load, full collections had taken a large share of the
workers' CPU: docs/performance.md). Run in a process of its own: freezing is for the process's whole life.

And an API's server keeps an idle connection open longer than its clients keep one to reuse."""

import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest
import uvicorn
from claimstream_platform import entrypoint
from claimstream_platform.entrypoint import KEEP_ALIVE_SECONDS, _Server, server_options

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


_SERVED = (
    "import gc\n"
    "from claimstream_platform import entrypoint\n"
    "loaded = []\n"
    "def factory():\n"
    "    loaded.append([])  # what an app loads to serve: rule data, code sets\n"
    "    return lambda scope, receive, send: None\n"
    "entrypoint._Server.run = lambda server: print(any(o is loaded[0] for o in gc.get_objects()))\n"
    "try:\n"
    "    entrypoint.serve('__main__:factory', host='127.0.0.1', port=0, workers=1)\n"
    "except SystemExit:\n"
    "    pass  # the server never started: its run was replaced\n"
)


def test_what_an_apps_factory_loads_is_left_out_too() -> None:
    """The app is built before the collector is settled: charge capture's API reads its rule data and the ICD-10-CM
    set (170 MB) as it is built."""
    ran = subprocess.run([sys.executable, "-c", _SERVED], capture_output=True, text=True, check=True, timeout=60)
    assert ran.stdout.split() == ["False"]  # no longer among the objects the collector walks


async def _hello(scope: dict[str, Any], _receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return  # the lifespan protocol: nothing to start
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _asked(connection: socket.socket) -> bytes:
    """The whole answer (its head and body may come apart), or what came before the server closed the connection."""
    connection.sendall(b"GET / HTTP/1.1\r\nHost: api\r\n\r\n")
    answer = b""
    while not answer.endswith(b"\r\n\r\nok"):
        part = connection.recv(4096)
        if not part:
            break
        answer += part
    return answer


def test_an_api_keeps_an_idle_connection_open_longer_than_its_clients_keep_it_to_reuse() -> None:
    """httpx reuses a pooled connection idle up to 5 s. A server closing it at 5 s too (uvicorn's default) may close it
    as a request comes, which the client takes for an outage (the console answered a sign-in 503 so). Asked again on
    the same connection after longer than a client's 5 s idle, an API's server still answers."""
    kept = httpx.Limits().keepalive_expiry
    assert kept is not None  # httpx's default: 5 s
    idle = kept + 1
    assert KEEP_ALIVE_SECONDS > idle
    server = _Server(uvicorn.Config(_hello, **server_options("127.0.0.1", 0)))
    serving = threading.Thread(target=server.run, daemon=True)  # not the main thread: no signal handlers taken
    serving.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and serving.is_alive(), "the server did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            assert _asked(connection).startswith(b"HTTP/1.1 200")
            time.sleep(idle)
            assert _asked(connection).startswith(b"HTTP/1.1 200")  # b"" when the server has closed it
    finally:
        server.should_exit = True
        serving.join(timeout=5)
    assert not serving.is_alive(), "the server did not stop"


def test_one_process_and_several_serve_with_the_same_keep_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` gives the option to both its ways: its own quieter server, and uvicorn's supervisor of several."""
    kept: list[int] = []

    class Served:
        started = True

        def __init__(self, config: uvicorn.Config) -> None:
            kept.append(config.timeout_keep_alive)

        def run(self) -> None:
            pass

    monkeypatch.setattr(entrypoint, "_Server", Served)
    monkeypatch.setattr(uvicorn.Config, "load", lambda _config: None)  # no app to build
    monkeypatch.setattr(entrypoint, "settle_the_collector", lambda: None)  # nor this process's collector to settle
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: kept.append(options["timeout_keep_alive"]))
    entrypoint.serve("a.service:app", host="127.0.0.1", port=0, workers=1)
    entrypoint.serve("a.service:app", host="127.0.0.1", port=0, workers=2)
    assert kept == [KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS]
