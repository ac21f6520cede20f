"""Settings every claimstream process reads from its environment, validated at start-up."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SecretsSettingsSource, SettingsConfigDict

from claimstream_platform.access import RateClass
from claimstream_platform.limits.budgets import Budget
from claimstream_platform.transport import KafkaProtocol, KafkaTransport, postgres_tls

_PLACEHOLDERS = {"changeme", "changethis", "secret", "password", "postgres", "admin"}
FOREVER = -1  # a retention in days that keeps everything (Kafka's own `retention.ms=-1`)
# How long past its topic's retention Kafka may still deliver a record: a log segment is deleted once its newest
# record is older than the retention, segments roll daily (`messaging/kafka.py`), and the broker looks every 5 min.
REDELIVERY_MARGIN_DAYS = 2
_Days = Annotated[int, Field(ge=FOREVER)]


class MissingDatabaseRole(RuntimeError):
    """A process was started without the URL of a database role it needs."""


class RetentionSettings(BaseSettings):
    """How long the platform's bookkeeping rows and the topics keep what they hold (docs/platform.md, Retention).
    Every process reads the same variables: the services prune their rows by them, and whatever creates the topics
    (`messaging.kafka.ensure_topics`) sets the topics' retention by them; each refuses a combination in which a
    redelivered event could outlive the inbox row that says it was applied."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True)

    outbox_retention_days: _Days = 7  # published rows; unpublished and quarantined rows are never pruned
    inbox_retention_days: _Days = 60  # at least `longest_redelivery_days` (48 with the defaults)
    idempotency_key_grace_hours: int = Field(default=1, ge=0)  # a key is pruned this long after it expires
    topic_retention_days: _Days = 14
    dead_letter_topic_retention_days: _Days = 30  # an operator may send a dead letter back to its topic meanwhile
    retention_pass_seconds: float = Field(default=300, gt=0)
    retention_batch_size: int = Field(default=5000, ge=1, le=50_000)  # rows per DELETE: short statements, short locks

    @field_validator(
        "outbox_retention_days", "inbox_retention_days", "topic_retention_days", "dead_letter_topic_retention_days"
    )
    @classmethod
    def _days_or_forever(cls, days: int) -> int:
        if days == 0:
            raise ValueError(f"a retention is a number of days, at least 1, or {FOREVER} to keep everything")
        return days

    @model_validator(mode="after")
    def _inbox_outlives_redelivery(self) -> Self:
        """A redelivered event whose inbox row was pruned would be applied twice: the inbox must outlast every
        record a consumer may be handed again."""
        longest, inbox = self.longest_redelivery_days, self.inbox_retention_days
        if inbox != FOREVER and (longest is None or inbox < longest):
            need = f"{FOREVER} (forever)" if longest is None else f"at least {longest}"
            raise ValueError(
                f"INBOX_RETENTION_DAYS must be {need}: a dead letter may be redriven until its topic deletes it, and"
                f" the redriven event stays on its topic for the topic's retention (each plus"
                f" {REDELIVERY_MARGIN_DAYS} days for Kafka's segments)"
            )
        return self

    @property
    def longest_redelivery_days(self) -> int | None:
        """The longest after an event was applied that a consumer may be handed it again, in days (None: forever):
        a letter redriven (`claimstream dlq redrive`) as its dead-letter topic is about to delete it is on its topic
        again, as new, for the topic's retention; a group whose offsets were lost reads its topics from the start."""
        topic, dead_letters = self.topic_retention_days, self.dead_letter_topic_retention_days
        if FOREVER in (topic, dead_letters):
            return None
        return dead_letters + topic + 2 * REDELIVERY_MARGIN_DAYS


def kept_for(days: int) -> timedelta | None:
    """A retention setting as a duration; None: kept forever."""
    return None if days == FOREVER else timedelta(days=days)


class ServiceSettings(RetentionSettings):
    """Base settings of a service process; a service subclasses it for its own fields.

    Nothing that grants access has a default: DATABASE_URL (it carries the password) and the token
    verification key must be given, and placeholder passwords are refused.

    DATABASE_URL is the service's app role (it reads and writes its tables under row-level security, one tenant's
    rows at a time, and owns none of them); ACROSS_TENANTS_DATABASE_URL is its across-tenants role, which the API
    and the worker use only where they cross tenants on purpose (operators' requests, loops, the outbox relay),
    and without which they refuse to start; MIGRATION_DATABASE_URL is its owner role, which `migrate` alone uses.
    Without it `migrate` runs as DATABASE_URL's role, which is right only where that role owns the schema (one
    role for both, as before roles were split: docs/security.md).

    SECRETS_DIR names a folder of files, one per setting, named by the setting in lower case (`database_url`),
    each read where the environment does not set it: how a host gives each process the URLs of its roles without
    putting their passwords in its environment (`single_host`, docker-compose.yml).
    """

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True)

    service_name: str
    database_url: SecretStr
    migration_database_url: SecretStr | None = None
    across_tenants_database_url: SecretStr | None = None
    database_schema: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
    # Each process's pools, opened as needed and kept (engines.py): replicas x processes x these stay within the
    # server's max_connections (docs/deploy.md, "Connection budget").
    database_connections: int = Field(default=20, ge=1, le=200)
    across_tenants_connections: int = Field(default=8, ge=1, le=100)
    kafka_bootstrap_servers: str
    # transport.py: SASL_SSL (SCRAM-SHA-512 over TLS) in a cluster; PLAINTEXT only on the local stack's own broker
    kafka_security_protocol: KafkaProtocol = "PLAINTEXT"
    kafka_sasl_username: str | None = None
    kafka_sasl_password_file: Path | None = None
    kafka_ca_file: Path | None = None  # the authority that signed the brokers' certificates (else the system's)
    auth_public_key_file: Path
    auth_issuer: str = "claimstream"
    auth_audience: str = "claimstream-api"
    integration_token_max_days: int = Field(default=90, ge=1, le=366)  # people's and operators' tokens: 1 hour
    revocations_schema: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")] = "identity"  # the list's home
    revocation_refresh_seconds: float = Field(default=1.0, gt=0, le=10)
    revocation_max_stale_seconds: float = Field(default=30.0, gt=0, le=300)  # then 503 until a refresh works
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = None
    outbox_batch_size: int = 500
    # How long a relay woken by a commit waits for the commits of the next moment to join its pass: a pass costs its
    # statements and Kafka's acknowledgment whatever it carries, so an API's commits a few milliseconds apart each
    # cost one. 0: a pass per wakeup; more: fewer passes, each event that much later on its topic.
    outbox_gather_seconds: float = Field(default=0.02, ge=0, le=1)
    consumer_batch_size: int = 500
    consumer_max_attempts: int = 3
    # How long a worker that died keeps its partitions before the group gives them to another (the broker allows 6 s
    # and up): shorter moves work sooner after a crash, longer tolerates longer pauses (a GC, a slow node).
    consumer_session_timeout_ms: int = Field(default=30_000, ge=6_000, le=300_000)
    metrics_port: int | None = None  # a worker's Prometheus /metrics (an API serves /metrics on its own port)
    metrics_host: str = "127.0.0.1"  # 0.0.0.0 where a scraper on another host (a pod's) must reach it
    # Request budgets per route class replacing the defaults (limits.DEFAULT_BUDGETS), as JSON in RATE_LIMITS:
    # {"write": {"tenant": 20000, "client": 10000, "window_seconds": 10}}; a tenant's own: `claimstream admin`.
    rate_limits: dict[RateClass, Budget] = Field(default_factory=dict)
    rate_limit_fail_open_seconds: float = Field(default=60, ge=0)  # then 503 until the limiter's store is back
    # Load shedding (shedding.py): requests one API process works on at once, beyond which it answers 503 at once;
    # the share of them one tenant may hold (429 beyond it) once the process is busy (that fraction of the bound).
    max_requests_in_flight: int = Field(default=32, ge=1)
    in_flight_tenant_share: float = Field(default=0.5, gt=0, le=1)
    in_flight_busy_from: float = Field(default=0.75, gt=0, le=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        folder = os.environ.get("SECRETS_DIR")
        if folder and not Path(folder).is_dir():
            raise ValueError(f"SECRETS_DIR: no folder at {folder}")
        files = (SecretsSettingsSource(settings_cls, secrets_dir=folder),) if folder else ()
        return init_settings, env_settings, *files

    @field_validator("database_url", "migration_database_url", "across_tenants_database_url")
    @classmethod
    def _refuse_placeholder_password(cls, url: SecretStr | None) -> SecretStr | None:
        from sqlalchemy.engine import make_url

        if url is None:
            return None
        password = make_url(url.get_secret_value()).password
        if password is not None and password.lower() in _PLACEHOLDERS:
            raise ValueError("the database URL uses a placeholder password")
        postgres_tls(url.get_secret_value())  # an sslmode not taken is refused at start, not at the first connection
        return url

    @model_validator(mode="after")
    def _kafka_transport_is_whole(self) -> Self:
        self.kafka_transport()
        return self

    def kafka_transport(self) -> KafkaTransport:
        """How this process's Kafka clients reach the brokers (`transport.use_kafka_transport`)."""
        password_file = self.kafka_sasl_password_file
        if password_file is not None and not password_file.is_file():
            raise ValueError(f"no Kafka password file at {password_file}")
        password = password_file.read_text().strip() if password_file else None
        return KafkaTransport(self.kafka_security_protocol, self.kafka_sasl_username, password, self.kafka_ca_file)

    @property
    def migration_url(self) -> str:
        """The role `migrate` runs as: the owner's URL, else DATABASE_URL's."""
        return (self.migration_database_url or self.database_url).get_secret_value()

    @property
    def across_tenants_url(self) -> str:
        """The across-tenants role's URL; a clear refusal where there is none. Never DATABASE_URL's in its place:
        the app role cannot cross tenants, so a path that must would find nothing, or a role that can would be
        the app role."""
        if self.across_tenants_database_url is None:
            raise MissingDatabaseRole(
                "ACROSS_TENANTS_DATABASE_URL is not set: the service crosses tenants (operators' requests, loops,"
                " the outbox relay) as its own role (`python -m claimstream_platform.database_roles` prints it)"
            )
        return self.across_tenants_database_url.get_secret_value()

    @field_validator("auth_public_key_file")
    @classmethod
    def _key_must_exist(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"no public key file at {path}")
        return path
