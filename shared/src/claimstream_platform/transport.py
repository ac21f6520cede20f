"""Encrypted, authenticated transport to PostgreSQL and Kafka: PHI never crosses a network in plain text where the
deployment says so (docs/deploy.md, "Transport").

- **PostgreSQL** takes libpq's own words in its URL: `?sslmode=verify-full&sslrootcert=/path/ca.crt`. SQLAlchemy's
  asyncpg dialect does not read them, so `postgres_tls` takes them out of the URL and gives asyncpg the TLS context
  they mean. `verify-full` checks the server's certificate against the authority and its name against the host;
  `verify-ca` the authority alone (given: the public ones vouch for any name); `require` encrypts without checking
  whom it talks to (with `sslrootcert`, libpq's reading: `verify-ca`); `disable` (or nothing) is plain, as the
  local stack runs. libpq's `allow` and `prefer` fall back to plain text without a word, and are refused, as are
  asyncpg's own `ssl` and client certificates in the URL.
- **Kafka** takes its settings (`KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD_FILE`,
  `KAFKA_CA_FILE`): `SASL_SSL` is SCRAM-SHA-512 over TLS, as Strimzi's `KafkaUser` gives it; `SSL` is TLS alone;
  `PLAINTEXT` is the local stack's. Every client the platform makes (`messaging/kafka.py`) uses the process's
  transport, set once at start (`use_kafka_transport`; the `claimstream` command from the same variables).
"""

import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from sqlalchemy.engine import URL, make_url

KafkaProtocol = Literal["PLAINTEXT", "SSL", "SASL_SSL"]
SASL_MECHANISM = "SCRAM-SHA-512"
_TLS_WORDS = ("sslmode", "sslrootcert")
_REFUSED = {"ssl", "sslcert", "sslkey", "sslpassword", "sslnegotiation", "sslcrl"}  # asyncpg's own, client certificates


def postgres_tls(database_url: str) -> tuple[URL, dict[str, Any]]:
    """The URL without libpq's TLS words, and asyncpg's `ssl` argument for them: always given, so that neither
    asyncpg's own default (`prefer`) nor a PGSSLMODE in the environment decides instead."""
    url = make_url(database_url)
    foreign = sorted(set(url.query) & _REFUSED)
    if foreign:
        raise ValueError(f"the database URL's {', '.join(foreign)} is not taken: sslmode and sslrootcert only")
    mode, root = url.query.get("sslmode", "disable"), url.query.get("sslrootcert")
    if not isinstance(mode, str) or not (root is None or isinstance(root, str)):
        raise ValueError("the database URL gives sslmode or sslrootcert more than once")
    if mode == "require" and root:
        mode = "verify-ca"  # libpq's own reading: an authority given is an authority checked
    return url.difference_update_query(_TLS_WORDS), {"ssl": _context(mode, root)}


def _context(mode: str, root: str | None) -> ssl.SSLContext | bool:
    if mode == "disable":
        if root:
            raise ValueError("sslrootcert is given but sslmode is disable: say verify-full")
        return False
    if mode == "require":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        return context
    if mode == "verify-ca" and not root:  # the public authorities vouch for any name: the host's would go unchecked
        raise ValueError("sslmode verify-ca needs sslrootcert (the authority that signed the server's certificate)")
    if mode in ("verify-ca", "verify-full"):
        context = ssl.create_default_context(cafile=root)  # verify-full alone may lean on the system's authorities
        context.check_hostname = mode == "verify-full"
        return context
    raise ValueError(f"sslmode {mode!r} is not taken: disable, require, verify-ca or verify-full")


@dataclass(frozen=True)
class KafkaTransport:
    """How every Kafka client of the process reaches the brokers."""

    protocol: KafkaProtocol = "PLAINTEXT"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if self.protocol not in get_args(KafkaProtocol):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL {self.protocol!r} is not taken: {', '.join(get_args(KafkaProtocol))}"
            )
        login = self.username or self.password
        if self.protocol == "SASL_SSL" and not (self.username and self.password):
            raise ValueError("SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE")
        if self.protocol != "SASL_SSL" and login:
            raise ValueError(f"a Kafka login is given, but KAFKA_SECURITY_PROTOCOL is {self.protocol}, not SASL_SSL")
        if self.protocol == "PLAINTEXT" and self.ca_file:
            raise ValueError("a Kafka authority is given, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT")
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ValueError(f"no Kafka authority file at {self.ca_file}")

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


def kafka_transport_from_environment() -> KafkaTransport:
    """For a command without a service's settings (`claimstream dlq`): the same four variables."""
    password_file = os.environ.get("KAFKA_SASL_PASSWORD_FILE")
    ca_file = os.environ.get("KAFKA_CA_FILE")
    return KafkaTransport(
        cast(KafkaProtocol, os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")),  # checked as it is made
        os.environ.get("KAFKA_SASL_USERNAME") or None,
        Path(password_file).read_text().strip() if password_file else None,
        Path(ca_file) if ca_file else None,
    )
