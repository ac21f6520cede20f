"""Settings every claimstream process reads from its environment, validated at start-up."""

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claimstream_platform.access import RateClass
from claimstream_platform.limits.budgets import Budget

_PLACEHOLDERS = {"changeme", "changethis", "secret", "password", "postgres", "admin"}


class MissingDatabaseRole(RuntimeError):
    """A process was started without the URL of a database role it needs."""


class ServiceSettings(BaseSettings):
    """Base settings of a service process; a service subclasses it for its own fields.

    Nothing that grants access has a default: DATABASE_URL (it carries the password) and the token
    verification key must be given, and placeholder passwords are refused.

    DATABASE_URL is the service's app role (it reads and writes its tables under row-level security, one tenant's
    rows at a time, and owns none of them); ACROSS_TENANTS_DATABASE_URL is its across-tenants role, which the API
    and the worker use only where they cross tenants on purpose (operators' requests, loops, the outbox relay),
    and without which they refuse to start; MIGRATION_DATABASE_URL is its owner role, which `migrate` alone uses.
    Without it `migrate` runs as DATABASE_URL's role, which is right only where that role owns the schema (one
    role for both, as before roles were split: docs/security.md).
    """

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True)

    service_name: str
    database_url: SecretStr
    migration_database_url: SecretStr | None = None
    across_tenants_database_url: SecretStr | None = None
    database_schema: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
    kafka_bootstrap_servers: str
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
    consumer_batch_size: int = 500
    consumer_max_attempts: int = 3
    metrics_port: int | None = None  # a worker's Prometheus /metrics (an API serves /metrics on its own port)
    metrics_host: str = "127.0.0.1"  # 0.0.0.0 where a scraper on another host (a pod's) must reach it
    # Request budgets per route class replacing the defaults (limits.DEFAULT_BUDGETS), as JSON in RATE_LIMITS:
    # {"write": {"tenant": 20000, "client": 10000, "window_seconds": 10}}; a tenant's own: `claimstream admin`.
    rate_limits: dict[RateClass, Budget] = Field(default_factory=dict)
    rate_limit_fail_open_seconds: float = Field(default=60, ge=0)  # then 503 until the limiter's store is back

    @field_validator("database_url", "migration_database_url", "across_tenants_database_url")
    @classmethod
    def _refuse_placeholder_password(cls, url: SecretStr | None) -> SecretStr | None:
        from sqlalchemy.engine import make_url

        if url is None:
            return None
        password = make_url(url.get_secret_value()).password
        if password is not None and password.lower() in _PLACEHOLDERS:
            raise ValueError("the database URL uses a placeholder password")
        return url

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
