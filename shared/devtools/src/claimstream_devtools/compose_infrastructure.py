"""What docker-compose.yml runs besides claimstream's own processes (Kafka, PostgreSQL, a mail sink), and where its
containers find what `setup` made: one volume, each container mounting the folders of it that are its own."""

from typing import Any

SETUP = "/var/lib/claimstream"  # the whole volume, in the setup container alone (the image makes it 10001's)
SHARED = "/var/run/claimstream/shared"  # its shared/ folder: public keys, the demo's tenant and clearinghouse account
KEYS = "/var/run/claimstream/keys"  # its <schema>/keys/ folder: the service's private keys
ROLES = "/var/run/claimstream/roles"  # its <schema>/process/ or /migrate/ folder: its roles' URLs (SECRETS_DIR)
WORKLOAD = "/var/run/claimstream/workload"  # its workload/ folder: the demo's tokens
VOLUMES = ("kafka-data", "postgres-data", "setup")


def volume(folder: str, target: str, *, read_only: bool = True) -> dict[str, Any]:
    """One folder of the setup volume (Compose's `subpath`: Docker Engine 26 and Compose 2.26 or later)."""
    return {
        "type": "volume",
        "source": "setup",
        "target": target,
        "read_only": read_only,
        "volume": {"subpath": folder},
    }


def infrastructure() -> dict[str, dict[str, Any]]:
    return {"kafka": _kafka(), "postgres": _postgres(), "mail": _mail()}


def _kafka() -> dict[str, Any]:
    """One KRaft node. Plain within the host's private network, published on the loopback alone; a cluster's
    brokers take SASL_SSL (docs/deploy.md, "Transport")."""
    environment = {
        "KAFKA_NODE_ID": 1,
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@kafka:9093",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:19092",
        "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://kafka:9092,HOST://127.0.0.1:19092",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": 1,
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": 1,
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": 1,
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": 0,
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",  # setup creates every topic with its retention
        # The image writes its settings from these variables alone: without this, the log is in the container's
        # /tmp, and a recreated container would lose every topic and offset.
        "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
    }
    probe = "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null"
    return {
        "image": "apache/kafka:4.1.1",
        "environment": environment,
        "ports": ["127.0.0.1:19092:19092"],
        "volumes": ["kafka-data:/var/lib/kafka/data"],
        "healthcheck": {"test": ["CMD-SHELL", probe], "interval": "5s", "retries": 30},
        "restart": "unless-stopped",
    }


def _postgres() -> dict[str, Any]:
    """The administrator's password from .env alone (none is defaulted); only `setup` is given it."""
    return {
        "image": "postgres:17",
        "environment": {
            "POSTGRES_USER": "claimstream",
            "POSTGRES_DB": "claimstream",
            "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}",  # hex: it goes in a URL
        },
        "ports": ["127.0.0.1:15432:5432"],
        "volumes": ["postgres-data:/var/lib/postgresql/data"],
        "healthcheck": {
            # Over TCP: the first start's initialising server answers on its socket alone, then restarts
            "test": ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U claimstream -d claimstream"],
            "interval": "2s",
            "retries": 30,
        },
        "restart": "unless-stopped",
    }


def _mail() -> dict[str, Any]:
    """A real SMTP server that keeps what it is given and delivers nothing: the statements, read at :8025 (its
    image checks its own health)."""
    return {
        "image": "axllent/mailpit:v1.31.3",
        "ports": ["127.0.0.1:8025:8025"],
        "restart": "unless-stopped",
    }
