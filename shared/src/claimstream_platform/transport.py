"""Encrypted, authenticated transport to PostgreSQL and Kafka: PHI never crosses a network in plain text where the
deployment says so (docs/deploy.md, "Transport").

- **PostgreSQL** takes libpq's own words in its URL: `?sslmode=verify-full&sslrootcert=/path/ca.crt`. SQLAlchemy's
  asyncpg dialect does not read them, so `postgres_tls` takes them out of the URL and gives asyncpg the TLS context
  they mean. `verify-full` checks the server's certificate against the authority and its name against the host;
  `verify-ca` the authority alone; `require` encrypts without checking whom it talks to; `disable` (or nothing)
  is plain, as the local stack runs. libpq's `allow` and `prefer` fall back to plain text without a word, and are
  refused.
- **Kafka** takes its settings (`KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD_FILE`,
  `KAFKA_CA_FILE`): `SASL_SSL` is SCRAM-SHA-512 over TLS, as Strimzi's `KafkaUser` gives it; `SSL` is TLS alone;
  `PLAINTEXT` is the local stack's. Every client the platform makes (`messaging/kafka.py`) uses the process's
  transport, set once at start (`use_kafka_transport`), as telemetry is.
"""

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.engine import URL, make_url

KafkaProtocol = Literal["PLAINTEXT", "SSL", "SASL_SSL"]
SASL_MECHANISM = "SCRAM-SHA-512"
_TLS_WORDS = ("sslmode", "sslrootcert")


def postgres_tls(database_url: str) -> tuple[URL, dict[str, Any]]:
    """The URL without libpq's TLS words, and asyncpg's connect arguments for them (`{"ssl": context}`, or none)."""
    url = make_url(database_url)
    mode, root = url.query.get("sslmode", "disable"), url.query.get("sslrootcert")
    if not isinstance(mode, str) or not (root is None or isinstance(root, str)):
        raise ValueError("the database URL gives sslmode or sslrootcert more than once")
    plain = url.difference_update_query(_TLS_WORDS)
    if mode == "disable":
        return plain, {}
    if mode == "require":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    elif mode in ("verify-ca", "verify-full"):
        context = ssl.create_default_context(cafile=root)  # the system's authorities without one
        context.check_hostname = mode == "verify-full"
    else:
        raise ValueError(f"sslmode {mode!r} is not taken: disable, require, verify-ca or verify-full")
    return plain, {"ssl": context}


@dataclass(frozen=True)
class KafkaTransport:
    """How every Kafka client of the process reaches the brokers."""

    protocol: KafkaProtocol = "PLAINTEXT"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if self.protocol == "SASL_SSL" and not (self.username and self.password):
            raise ValueError("SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE")
        if self.protocol == "PLAINTEXT" and (self.username or self.ca_file):
            raise ValueError("a Kafka login or authority is given, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT")

    def client_arguments(self) -> dict[str, Any]:
        """aiokafka's arguments, for a producer, a consumer or an admin client alike."""
        if self.protocol == "PLAINTEXT":
            return {}
        arguments: dict[str, Any] = {
            "security_protocol": self.protocol,
            "ssl_context": ssl.create_default_context(cafile=self.ca_file),  # the name checked against the host
        }
        if self.protocol == "SASL_SSL":
            arguments |= {
                "sasl_mechanism": SASL_MECHANISM,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return arguments


_kafka = KafkaTransport()


def use_kafka_transport(transport: KafkaTransport) -> None:
    """The process's Kafka transport from here on (once, at start, from its settings)."""
    global _kafka
    _kafka = transport


def kafka_transport() -> KafkaTransport:
    return _kafka
