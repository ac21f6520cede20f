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


BROKER = "/var/run/claimstream/kafka"  # its folder of the setup volume: its key store, the logins
# The services' listener: SCRAM-SHA-512 over TLS, as a cluster's. Its name must not end in SSL: the image's start
# script asks a JKS key store's files of any advertised `...SSL://` listener, and more of a `SASL_...://` one.
CLIENTS = "CLIENTS"
# The image writes each KAFKA_X_Y variable as the setting x.y (`__` is `_`, `___` is `-`): these are the tested
# listener's settings (devstack/kafka.py, SaslSslListener), for the listener named CLIENTS.
KAFKA_TLS = {
    "KAFKA_SASL_ENABLED_MECHANISMS": "SCRAM-SHA-512",
    "KAFKA_LISTENER_NAME_CLIENTS_SCRAM___SHA___512_SASL_JAAS_CONFIG": (
        "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    ),
    "KAFKA_LISTENER_NAME_CLIENTS_SSL_KEYSTORE_TYPE": "PEM",
    "KAFKA_LISTENER_NAME_CLIENTS_SSL_KEYSTORE_LOCATION": f"{BROKER}/server.pem",
}
# Each service's login, added once the broker answers on its own loopback (no one else reaches that listener);
# then the health check passes. `$$`: Compose's escape for the shell's `$`.
ADD_LOGINS = f"""set -u
rm -f /tmp/claimstream-logins
(
  until /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server 127.0.0.1:9094 >/dev/null 2>&1; do sleep 2; done
  while read -r name password; do
    until /opt/kafka/bin/kafka-configs.sh --bootstrap-server 127.0.0.1:9094 --alter --entity-type users \\
        --entity-name "$$name" --add-config "SCRAM-SHA-512=[password=$$password]" >/dev/null; do
      echo "claimstream: the login $$name is not added yet; trying again" >&2
      sleep 2
    done
  done < {BROKER}/logins
  touch /tmp/claimstream-logins
) &
exec /etc/kafka/docker/run"""


def _kafka() -> dict[str, Any]:
    """One KRaft node. The services reach it with SASL_SSL (their own login, the host's authority: single_host);
    the controller and the broker's own listener answer on its loopback alone. Nothing is published on the host."""
    environment = {
        "KAFKA_NODE_ID": 1,
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@127.0.0.1:9093",
        "KAFKA_LISTENERS": f"{CLIENTS}://:9092,CONTROLLER://127.0.0.1:9093,INTERNAL://127.0.0.1:9094",
        "KAFKA_ADVERTISED_LISTENERS": f"{CLIENTS}://kafka:9092,INTERNAL://127.0.0.1:9094",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": f"{CLIENTS}:SASL_SSL,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_INTER_BROKER_LISTENER_NAME": "INTERNAL",
        **KAFKA_TLS,
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": 1,
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": 1,
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": 1,
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": 0,
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",  # setup creates every topic with its retention
        # The image writes its settings from these variables alone: without this, the log is in the container's
        # /tmp, and a recreated container would lose every topic and offset.
        "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
    }
    probe = "test -f /tmp/claimstream-logins && "
    probe += "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server 127.0.0.1:9094 >/dev/null"
    return {
        "image": "apache/kafka:4.1.1",
        "command": ["/bin/bash", "-c", ADD_LOGINS],
        "environment": environment,
        "volumes": ["kafka-data:/var/lib/kafka/data", volume("kafka", BROKER)],
        "healthcheck": {"test": ["CMD-SHELL", probe], "interval": "5s", "retries": 60},
        "depends_on": {"setup-files": {"condition": "service_completed_successfully"}},
        "restart": "unless-stopped",
    }


DATABASE_FILES = "/var/run/claimstream/postgres"
# PostgreSQL takes a key file owned by its own user alone: the container (root at first) hands it over, then starts
# as the image does, with TLS on, and takes a connection over TCP with TLS alone (pg_hba.conf: single_host_transport).
WITH_TLS = (
    f"install -m 600 -o postgres -g postgres {DATABASE_FILES}/server.key /var/lib/postgresql/server.key"
    f" && exec docker-entrypoint.sh postgres -c ssl=on -c ssl_cert_file={DATABASE_FILES}/server.crt"
    f" -c ssl_key_file=/var/lib/postgresql/server.key -c hba_file={DATABASE_FILES}/pg_hba.conf"
)


def _postgres() -> dict[str, Any]:
    """The administrator's password from .env alone (none is defaulted); only `setup` is given it. Every client
    connects with `sslmode=verify-full` against the host's authority."""
    return {
        "image": "postgres:17",
        "command": ["/bin/bash", "-c", WITH_TLS],
        "environment": {
            "POSTGRES_USER": "claimstream",
            "POSTGRES_DB": "claimstream",
            "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}",  # hex: it goes in a URL
        },
        "ports": ["127.0.0.1:15432:5432"],
        "volumes": ["postgres-data:/var/lib/postgresql/data", volume("postgres", DATABASE_FILES)],
        "healthcheck": {
            # Over TCP: the first start's initialising server answers on its socket alone, then restarts
            "test": ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U claimstream -d claimstream"],
            "interval": "2s",
            "retries": 30,
        },
        "depends_on": {"setup-files": {"condition": "service_completed_successfully"}},
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
