"""`python -m <service> migrate | api [--port N] [--workers N] | worker`: the contract the local stack relies on.

Each service's `__main__` hands its wiring here, so every service takes the same commands; a service may add
commands of its own (the projection's `rebuild`).
"""

import argparse
import asyncio
import gc
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import uvicorn
import uvloop
from uvicorn.config import STARTUP_FAILURE

# Seconds an API keeps an idle connection open: longer than its clients keep one to reuse (httpx, every service's
# client: 5 s), so that no client sends on a connection the server is closing at that instant. At uvicorn's own 5 s
# a request sent just as the fifth second ended was lost unread ("server disconnected"), which a caller takes for an
# outage: the console answered a person's sign-in 503 so (a CI run of issue 33).
KEEP_ALIVE_SECONDS = 75
# youngest collected after 10,000 surviving allocations (CPython: 700); the middle and the whole heap as by default
COLLECTOR_THRESHOLDS = (10_000, 10, 10)


def main(
    *,
    prog: str,
    app_factory: str,
    default_port: int,
    migrate: Callable[[], None],
    worker: Callable[[], Coroutine[Any, Any, None]],
    worker_help: str,
    extra: Mapping[str, tuple[str, Callable[[], int]]] | None = None,
) -> None:
    """`app_factory` is "package.module:function", so that uvicorn can start several worker processes."""
    parser = _parser(prog, default_port, worker_help, extra or {})
    args, unknown = parser.parse_known_args()  # a service's own command reads its own options from sys.argv
    if unknown and args.command not in (extra or {}):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command in (extra or {}):
        raise SystemExit((extra or {})[args.command][1]())
    if args.command == "migrate":
        migrate()
    elif args.command == "api":
        serve(app_factory, host=args.host, port=args.port, workers=args.workers)
    else:
        settle_the_collector()
        uvloop.run(worker())  # the loop the APIs run on too (uvicorn picks it): less CPU per event and per poll


def settle_the_collector() -> None:
    """The garbage collector's settings for a serving process (docs/performance.md, "The garbage collector").

    What the process loaded to start (modules, models, tables, validators: about 170,000 objects for a service)
    lives as long as the process does: moved out of the collector's generations (`gc.freeze`), it is no longer
    walked by every full collection. And collections run less often: CPython's default collects the youngest
    objects every 700 allocations that outlive their use and the whole heap after every 100 of those, so under
    load a worker still walked its caches and pools (100,000s of objects) every few seconds. Memory is freed by
    reference counts, not by the collector, for all but cycles, which now wait a little longer. An API of several
    processes (`API_WORKERS` > 1) is uvicorn's supervisor, whose servers start afresh with CPython's settings."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


class _Server(uvicorn.Server):
    """uvicorn's server, looking at its exit flag once a second instead of ten times: uvicorn wakes its event loop
    every 100 ms to check it, which in an idle process costs more than everything else the API does (issue 33's idle
    budget). A signal is still seen within a second, and the Date header is still renewed every second."""

    async def main_loop(self) -> None:
        ticks = 0
        while not await self.on_tick(ticks):
            await asyncio.sleep(1.0)
            ticks = (ticks + 10) % 864_000  # on_tick counts tenths of a second


def server_options(host: str, port: int) -> dict[str, Any]:
    """What every API's server runs with, in one process or several."""
    return {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }


def serve(app_factory: str, *, host: str, port: int, workers: int) -> None:
    """One process serves with the quieter server; several are uvicorn's own supervisor and servers (its
    supervisor makes each process's server itself, so there each ticks ten times a second)."""
    options: dict[str, Any] = {"factory": True, **server_options(host, port)}
    if workers > 1:
        uvicorn.run(app_factory, workers=workers, **options)
        return
    config = uvicorn.Config(app_factory, **options)
    config.load()  # the app built first: what it loads to serve (rule data, code sets) is frozen with the rest
    settle_the_collector()
    server = _Server(config)
    server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)


def _parser(
    prog: str, default_port: int, worker_help: str, extra: Mapping[str, tuple[str, Callable[[], int]]]
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations to the service's schema")
    api = commands.add_parser("api", help="serve the REST API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=default_port)
    api.add_argument(
        "--workers", type=int, default=int(os.environ.get("API_WORKERS", "1")), help="processes (env API_WORKERS)"
    )
    commands.add_parser("worker", help=worker_help)
    for name, (help_text, _) in extra.items():
        commands.add_parser(name, help=help_text)
    return parser
