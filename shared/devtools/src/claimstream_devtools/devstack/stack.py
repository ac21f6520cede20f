"""Kafka and PostgreSQL for one profile (`run` or `test`), each on its own ports and data folder.

`KAFKA_BOOTSTRAP_SERVERS` or `DATABASE_URL` in the environment point at existing servers, and the
embedded ones are then not started.
"""

import asyncio
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from claimstream_platform import migrate, tenants
from claimstream_platform.contracts import registered_events
from claimstream_platform.limits import store as limits
from claimstream_platform.messaging.kafka import ensure_topics

from claimstream_devtools.devstack.kafka import LIGHT_JVM, SERVER_JVM, KafkaBroker
from claimstream_devtools.devstack.mail import MailSink
from claimstream_devtools.devstack.postgres import PostgresServer


def repository_root() -> Path:
    """The checkout this library is installed from (editable install), else the working folder."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "Makefile").exists() and (folder / "shared").is_dir():
            return folder
    return Path.cwd()


@dataclass(frozen=True)
class Profile:
    name: str
    kafka_port: int
    controller_port: int
    postgres_port: int
    smtp_port: int
    broker_jvm: tuple[str, ...] = SERVER_JVM  # `make run`'s and the benches' broker: the one whose rates they print

    @property
    def data_dir(self) -> Path:
        return repository_root() / ".data" / self.name


PROFILES = {
    "run": Profile(
        "run",
        kafka_port=int(os.environ.get("KAFKA_PORT", 19092)),
        controller_port=19093,
        postgres_port=int(os.environ.get("POSTGRES_PORT", 15432)),
        smtp_port=int(os.environ.get("SMTP_SINK_PORT", 12525)),
    ),
    "test": Profile(
        "test", kafka_port=29092, controller_port=29093, postgres_port=25432, smtp_port=22525, broker_jvm=LIGHT_JVM
    ),
    # Below Linux's ephemeral ports (32768 and up), which a client socket may hold when a server wants to listen.
    "bench": Profile("bench", kafka_port=26092, controller_port=26093, postgres_port=26432, smtp_port=26525),
}


def test_profile() -> Profile:
    """The test stack's servers; `TEST_STACK_PORT_BASE` moves their ports and data folder (Kafka on base + 92,
    PostgreSQL on base + 32, the SMTP sink on base + 25), so that two test runs, or two engineers' runs, can share a
    machine. Its broker is light (`kafka.LIGHT_JVM`), unless `TEST_STACK_BROKER=server` asks for `make run`'s: the
    sustained bench runs a reliability test beside references measured on a broker of that kind."""
    jvm = SERVER_JVM if os.environ.get("TEST_STACK_BROKER") == "server" else LIGHT_JVM
    base = os.environ.get("TEST_STACK_PORT_BASE")
    if not base:
        return replace(PROFILES["test"], broker_jvm=jvm)
    port = int(base)
    return Profile(
        f"test-{port}",
        kafka_port=port + 92,
        controller_port=port + 93,
        postgres_port=port + 32,
        smtp_port=port + 25,
        broker_jvm=jvm,
    )


# The folder of each server's data in a profile, and the variable that names an existing server in its place.
_SERVER_FOLDERS = {"postgres": "DATABASE_URL", "kafka": "KAFKA_BOOTSTRAP_SERVERS"}


@dataclass
class LocalStack:
    profile: Profile
    broker: KafkaBroker | None = None
    postgres: PostgresServer | None = None
    database_url: str = ""
    bootstrap_servers: str = ""
    kafka_start_seconds: float | None = None
    mail: MailSink | None = None  # the SMTP sink, unless SMTP_HOST names a server

    def start(self, *, fresh: bool = False) -> None:
        self.profile.data_dir.mkdir(parents=True, exist_ok=True)
        if fresh:
            self._wipe()
        self.database_url = os.environ.get("DATABASE_URL") or self._start_postgres()
        self.bootstrap_servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or self._start_kafka()
        if not os.environ.get("SMTP_HOST"):
            self.mail = MailSink(self.profile.data_dir / "mail", self.profile.smtp_port)
            self.mail.start()
        migrate.upgrade(self.database_url, schema=tenants.SCHEMA, script_location=tenants.MIGRATIONS)
        migrate.upgrade(self.database_url, schema=limits.SCHEMA, script_location=limits.MIGRATIONS)
        asyncio.run(ensure_topics(self.bootstrap_servers, sorted({e.topic for e in registered_events().values()})))

    def _wipe(self) -> None:
        """Everything of the profile's folder but the data of a server the environment names: that server may be
        another run's, started from this very folder (a pytest beside a running `make test`)."""
        named = {folder for folder, variable in _SERVER_FOLDERS.items() if os.environ.get(variable)}
        self._refuse_if_in_use(named)
        for entry in self.profile.data_dir.iterdir():
            if entry.name in named:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def _refuse_if_in_use(self, named: set[str]) -> None:
        """Another run of this profile (a `make test` going on) has its servers' data in this folder: wiping it
        would pull the database from under that run. Its ports answer, so it is found before anything is deleted."""
        ports = {"postgres": self.profile.postgres_port, "kafka": self.profile.kafka_port}
        for folder, port in ports.items():
            if folder not in named and _answers(port):
                raise RuntimeError(
                    f"port {port} answers: another run of the {self.profile.name!r} profile is using its servers"
                    f" (and their data in {self.profile.data_dir}); stop it first, or name its servers with"
                    f" {_SERVER_FOLDERS[folder]} to share them"
                )

    @property
    def smtp(self) -> tuple[str, int]:
        """Where the services send mail: the sink, or the server SMTP_HOST (and SMTP_PORT) names."""
        if self.mail is not None:
            return "127.0.0.1", self.mail.port
        return os.environ["SMTP_HOST"], int(os.environ.get("SMTP_PORT", 25))

    def stop(self) -> None:
        if self.mail is not None:
            self.mail.stop()
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def _start_postgres(self) -> str:
        self.postgres = PostgresServer(self.profile.data_dir / "postgres", self.profile.postgres_port)
        self.postgres.start()
        return self.postgres.url()

    def _start_kafka(self) -> str:
        self.broker = KafkaBroker(
            data_dir=self.profile.data_dir / "kafka",
            cache_dir=repository_root() / ".cache" / "kafka",
            port=self.profile.kafka_port,
            controller_port=self.profile.controller_port,
            jvm=self.profile.broker_jvm,
        )
        self.kafka_start_seconds = self.broker.start()
        return self.broker.bootstrap_servers


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
