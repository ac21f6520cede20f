"""The service kit: a service is declared once, and its commands, app, worker and local-stack entry come from it.

A service's `service.py` holds one `Service(...)`: its name, port, settings class, routers, migrations, event
subscriptions and periodic loops. From it the kit derives

- `python -m <package> migrate | api | worker` (`Service.main`),
- the FastAPI app (`Service.app`, also uvicorn's factory `<package>.service:SERVICE.app`),
- the worker: the outbox relay, a consumer when there are subscriptions, the loops (the service's own and the
  retention pass every service runs), and a graceful stop,
- what the local supervisor and the test fixtures need (`discover`, `claimstream_devtools.testing`).
"""

import asyncio
import importlib
import pkgutil
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from claimstream_platform import metrics
from claimstream_platform.contracts import IntegrationEvent
from claimstream_platform.db import UnitOfWork
from claimstream_platform.engines import create_engine, sessions
from claimstream_platform.loops import PeriodicLoop
from claimstream_platform.messaging.consumer import Batched, Consumer, Handler, run_until_stopped
from claimstream_platform.messaging.outbox import OutboxRelay
from claimstream_platform.messaging.partitions import GATHER_SECONDS
from claimstream_platform.messaging.subscriptions import Locks
from claimstream_platform.messaging.wakeup import Wakeup
from claimstream_platform.readiness import Readiness
from claimstream_platform.retention import Pruning, RetentionPolicy
from claimstream_platform.settings import ServiceSettings
from claimstream_platform.telemetry import configure_for
from claimstream_platform.transport import use_kafka_transport
from claimstream_platform.web import create_app

S = TypeVar("S", bound=ServiceSettings)
Subscriptions = Mapping[type[IntegrationEvent], Handler | Batched]


class Worker(Protocol):
    """What `run_until_stopped` runs: `run()` returns once `stop()` was called."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Runtime(Generic[S]):
    """What a loop is built from in the worker process: the settings and the database, as the app role (a tenant's
    work: the consumer's, once it knows the event's tenant) and as the across-tenants role (a loop's pass sweeps
    every tenant's work; the outbox relay publishes every tenant's events)."""

    settings: S
    sessionmaker: async_sessionmaker[AsyncSession]
    across_tenants: async_sessionmaker[AsyncSession]
    closing: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def on_close(self, close: Callable[[], Awaitable[None]]) -> None:
        """Run `close` when the worker stops (a client the loop opened)."""
        self.closing.append(close)


@dataclass(frozen=True)
class Service(Generic[S]):
    name: str  # SERVICE_NAME, the consumer group and the outbox source
    package: str
    port: int  # the local stack's port for its API; written nowhere else
    title: str
    settings: type[S]
    routers: Sequence[APIRouter]
    migrations: Path
    # event class -> handler; or, for handlers that need what the worker reads at start (a key), a function of it
    subscriptions: Subscriptions | Callable[[Runtime[S]], Subscriptions] = field(default_factory=dict)
    locks: Locks = field(default_factory=dict)  # event class -> the advisory locks its handler takes (subscriptions.py)
    consumes: Sequence[type[IntegrationEvent]] = ()  # a subscriptions function's events, known without a Runtime
    loops: Sequence[Callable[[Runtime[S]], Worker]] = ()
    prepare_app: Callable[[S, FastAPI], None] | None = None  # load data or state before the first request
    publishes: bool = True  # runs the outbox relay (the simulator stands outside and publishes nothing)
    stand_in: bool = False  # plays a partner outside claimstream (the simulator): a demo's, never a production's
    files: Sequence[str] = ()  # optional file settings a deployment must still give (docs/deploy.md, "Secrets")
    max_body_bytes: int | None = None
    commands: Mapping[str, tuple[str, Callable[[S], int]]] = field(default_factory=dict)  # name: (help, run)
    unit_of_work: type[UnitOfWork] = UnitOfWork  # the service's own: its repositories are its attributes
    together: bool = False  # its consumer applies one batch of all its partitions at a time (messaging/partitions.py)
    gather_seconds: float = GATHER_SECONDS  # its partitions' rest after a batch: longer where none waits by the second

    def consumed_topics(self) -> list[str]:
        """The topics its consumer reads (its group's, its Kafka user's ACLs: docs/deploy.md)."""
        events = self.consumes if callable(self.subscriptions) else list(self.subscriptions)
        return sorted({event.topic for event in events})

    def load_settings(self) -> S:
        loaded = self.settings()  # every field comes from the environment
        use_kafka_transport(loaded.kafka_transport())  # how every Kafka client of this process reaches the brokers
        return loaded

    def app(self, service_settings: S | None = None) -> FastAPI:
        service_settings = service_settings or self.load_settings()
        configure_for(service_settings)
        use_kafka_transport(service_settings.kafka_transport())  # settings given (a test's) are not loaded here
        extra: dict[str, Any] = {} if self.max_body_bytes is None else {"max_body_bytes": self.max_body_bytes}
        application = create_app(
            service_settings, title=self.title, routers=list(self.routers), unit_of_work=self.unit_of_work, **extra
        )
        if self.prepare_app is not None:
            self.prepare_app(service_settings, application)
        return application

    def migrate(self) -> None:
        # Imported here: alembic is a quarter of a second's import for every API and worker process, which never
        # migrate (`make run` and the manifests migrate in a process, or a job, of their own).
        from claimstream_platform import migrate as migrations

        migrations.upgrade_service(self.load_settings(), self.migrations)

    async def run_worker(self) -> None:
        """The outbox relay, the consumer and the loops, until SIGTERM or SIGINT."""
        service_settings = self.load_settings()
        configure_for(service_settings)
        schema = service_settings.database_schema
        pools = service_settings.database_connections, service_settings.across_tenants_connections
        across = create_engine(service_settings.across_tenants_url, schema=schema, connections=pools[1])  # may be unset
        engine = create_engine(service_settings.database_url.get_secret_value(), schema=schema, connections=pools[0])
        runtime = Runtime(service_settings, sessions(engine), sessions(across))
        workers = self.workers(runtime)
        if service_settings.metrics_port:
            loops = frozenset(worker.name for worker in workers if isinstance(worker, PeriodicLoop))
            runtime.on_close(_closer(await _serve_probes(runtime, engine, loops)))
        running, stopped = asyncio.get_running_loop(), asyncio.Event()

        def stop_all() -> None:
            stopped.set()
            for worker in workers:
                worker.stop()

        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            running.add_signal_handler(stop_signal, stop_all)
        try:
            await run_until_stopped(*workers, stopped=stopped)
        finally:
            for close in runtime.closing:
                await close()
            await engine.dispose()
            await across.dispose()

    def workers(self, runtime: Runtime[S]) -> list[Worker]:
        service_settings = runtime.settings
        workers: list[Worker] = []
        if self.publishes:
            workers.append(
                OutboxRelay(
                    runtime.across_tenants,  # every tenant's events
                    bootstrap_servers=service_settings.kafka_bootstrap_servers,
                    source=service_settings.service_name,
                    batch_size=service_settings.outbox_batch_size,
                    gather=service_settings.outbox_gather_seconds,
                    wakeup=Wakeup(runtime.across_tenants.kw["bind"]),  # the engine the relay's sessions are on
                )
            )
        subscriptions = self.subscriptions(runtime) if callable(self.subscriptions) else self.subscriptions
        if callable(self.subscriptions) and set(subscriptions) != set(self.consumes):
            raise RuntimeError(f"{self.name}: `consumes` does not name the events its subscriptions function gives")
        if subscriptions:
            workers.append(
                Consumer(
                    name=service_settings.service_name,
                    subscriptions=subscriptions,
                    locks=self.locks,
                    sessionmaker=runtime.sessionmaker,
                    across_tenants=runtime.across_tenants,  # for the lookups a handler says cross tenants
                    unit_of_work=self.unit_of_work,
                    bootstrap_servers=service_settings.kafka_bootstrap_servers,
                    batch_size=service_settings.consumer_batch_size,
                    max_attempts=service_settings.consumer_max_attempts,
                    session_timeout_ms=service_settings.consumer_session_timeout_ms,
                    together=self.together,
                    gather_seconds=self.gather_seconds,
                )
            )
        return workers + [make(runtime) for make in self.loops] + [_pruning(runtime)]

    def main(self) -> None:
        from claimstream_platform.entrypoint import main

        main(
            prog=self.package,
            app_factory=f"{self.package}.service:SERVICE.app",
            default_port=self.port,
            migrate=self.migrate,
            worker=self.run_worker,
            worker_help="run the outbox relay, the consumers and the loops",
            extra={name: (help_text, self._command(run)) for name, (help_text, run) in self.commands.items()},
        )

    def _command(self, run: Callable[[S], int]) -> Callable[[], int]:
        return lambda: run(self.load_settings())


def _pruning(runtime: Runtime[Any]) -> Pruning:
    """The retention pass: every service keeps an outbox, an inbox and idempotency keys (docs/platform.md)."""
    settings = runtime.settings
    return Pruning(
        runtime.across_tenants,  # every tenant's keys
        service=settings.service_name,
        policy=RetentionPolicy.of(settings),
        interval=settings.retention_pass_seconds,
    )


async def _serve_probes(runtime: Runtime[Any], engine: AsyncEngine, loops: frozenset[str]) -> asyncio.Server:
    """The worker's /metrics, /healthz and /readyz (the database, the broker, and its loops beating)."""
    settings = runtime.settings
    ready = Readiness(settings.kafka_bootstrap_servers, engine, runtime.sessionmaker, must_beat=loops)
    return await metrics.serve(settings.metrics_port or 0, settings.metrics_host, ready.report)


def _closer(server: asyncio.Server) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        server.close()
        await server.wait_closed()

    return close


def declared(package: str) -> "Service[Any] | None":
    """The declaration of an installed service package, or None when it is not installed."""
    try:
        module = importlib.import_module(f"{package}.service")
    except ModuleNotFoundError as missing:
        if missing.name in (package, f"{package}.service"):
            return None
        raise
    service: Service[Any] = module.SERVICE
    return service


def discover(services_dir: Path) -> list["Service[Any]"]:
    """Every service in `services_dir` (one folder per service, `src/<package>/service.py`) that is installed."""
    found = []
    for folder in sorted(path for path in services_dir.iterdir() if (path / "src").is_dir()):
        for module in pkgutil.iter_modules([str(folder / "src")]):
            service = declared(module.name)
            if service is not None:
                found.append(service)
    return sorted(found, key=lambda service: service.port)
