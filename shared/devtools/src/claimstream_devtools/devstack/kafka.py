"""A real Apache Kafka broker (KRaft, broker and controller in one JVM) from the Maven Central jars; with a second
listener that takes SCRAM-SHA-512 logins over TLS where a test asks for one (`SaslSslListener`)."""

import base64
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claimstream_platform.authority import ServerTls

from claimstream_devtools.devstack.processes import one_at_a_time, port_open, terminate, wait_until

RUNTIME = Path(__file__).parent / "kafka_runtime"
STARTED_LINE = "Kafka Server started"
SERVER_JVM = ("-XX:+UseG1GC",)  # a broker that takes load: the collector Kafka's own start script runs
# A test's broker carries little traffic and is started often (every run, every worker, every restart in the
# reliability layer): the client compiler alone and the serial collector halve its CPU to start (7.8 s to 4.0 s
# here) and idle (5.7 % to 2.8 % of a core) (docs/performance.md, "`make test`'s time, again").
LIGHT_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def ensure_jars(cache_dir: Path) -> Path:
    """Fetch the broker's runtime closure once; later calls reuse the cache."""
    libs = cache_dir / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise RuntimeError("Java 17+ and Maven are needed to fetch the Kafka broker")
    with one_at_a_time(cache_dir / ".fetching"):
        if marker.exists():  # another process fetched them while this one waited
            return libs
        libs.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(RUNTIME / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={libs}",
                "-DincludeScope=runtime",
            ],
            check=True,
        )
        marker.touch()
    return libs


@dataclass(frozen=True)
class SaslSslListener:
    """A listener that takes only SCRAM-SHA-512 logins over TLS, as a cluster's (docs/deploy.md, "Transport"); its
    users are made when the log folder is first formatted."""

    port: int
    tls: ServerTls
    users: Mapping[str, str] = field(repr=False)  # name: password

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def properties(self, keystore: Path) -> list[str]:
        prefix = "listener.name.sasl_ssl"
        return [
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            f"{prefix}.scram-sha-512.sasl.jaas.config="
            "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            f"{prefix}.ssl.keystore.type=PEM",
            f"{prefix}.ssl.keystore.location={keystore}",
        ]

    def scram_arguments(self) -> list[str]:
        return [f"--add-scram=SCRAM-SHA-512=[name={name},password={word}]" for name, word in self.users.items()]


@dataclass
class KafkaBroker:
    data_dir: Path
    cache_dir: Path
    port: int
    controller_port: int
    heap: str = "512m"
    jvm: tuple[str, ...] = SERVER_JVM
    secure: SaslSslListener | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 90) -> float:
        """Format the log folder once, start the broker, and wait until it says it started."""
        started = time.monotonic()
        libs = ensure_jars(self.cache_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        properties = self._write_properties()
        classpath = f"{libs}/*"
        if not (self.data_dir / "logs" / "meta.properties").exists():
            self._java(
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id(),
                "-c",
                str(properties),
                "--ignore-formatted",
                *(self.secure.scram_arguments() if self.secure else []),
            )
        log_file = self.data_dir / "server.log"
        log_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [*self._java_command(classpath), "kafka.Kafka", str(properties)],
            stdout=(self.data_dir / "stdout.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: log_file.exists() and STARTED_LINE in log_file.read_text(errors="replace") and port_open(self.port),
            timeout=timeout,
            what="Kafka",
            process=self.process,
        )
        return time.monotonic() - started

    def stop(self) -> None:
        """SIGTERM: the broker shuts down cleanly and its log folder stays consistent."""
        if self.process is not None:
            terminate(self.process, timeout=60)
            self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def _java_command(self, classpath: str) -> list[str]:
        return [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *self.jvm,
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={self.data_dir}",
            f"-Dlog4j2.configurationFile={RUNTIME / 'log4j2.properties'}",
            "-cp",
            classpath,
        ]

    def _java(self, classpath: str, *args: str) -> str:
        return subprocess.run(
            [*self._java_command(classpath), *args], check=True, capture_output=True, text=True
        ).stdout

    def _listeners(self) -> list[str]:
        listeners, advertised = f"PLAINTEXT://127.0.0.1:{self.port}", f"PLAINTEXT://127.0.0.1:{self.port}"
        protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        extra: list[str] = []
        if self.secure is not None:
            listeners += f",SASL_SSL://127.0.0.1:{self.secure.port}"
            advertised += f",SASL_SSL://127.0.0.1:{self.secure.port}"
            protocols += ",SASL_SSL:SASL_SSL"
            keystore = self.data_dir / "broker.pem"  # its key, then its certificate chain: Kafka's PEM key store
            keystore.write_bytes(self.secure.tls.key_file.read_bytes() + self.secure.tls.certificate_file.read_bytes())
            extra = self.secure.properties(keystore)
        return [
            f"listeners={listeners},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners={advertised}",
            f"listener.security.protocol.map={protocols}",
            *extra,
        ]

    def _write_properties(self) -> Path:
        path = self.data_dir / "server.properties"
        path.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                    *self._listeners(),
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    f"log.dirs={self.data_dir / 'logs'}",
                    "num.partitions=6",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=6",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "transaction.state.log.num.partitions=6",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=false",
                    "log.retention.hours=-1",
                    "num.io.threads=4",
                    "num.network.threads=2",
                    "",
                ]
            )
        )
        return path


def cluster_id() -> str:
    """A new cluster's id as Kafka's `random-uuid` makes it (a version 4 UUID, URL-safe base64 without padding, never
    starting with a dash, which its tools would read as an option) without a JVM started for it."""
    while True:
        found = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not found.startswith("-"):
            return found
