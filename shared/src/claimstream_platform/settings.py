"""Settings every claimstream process reads from its environment, validated at start-up."""

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claimstream_platform.access import RateClass
from claimstream_platform.limits.budgets import Budget

_PLACEHOLDERS = {"changeme", "changethis", "secret", "password", "postgres", "admin"}


class ServiceSettings(BaseSettings):
    """Base settings of a service process; a service subclasses it for its own fields.

    Nothing that grants access has a default: DATABASE_URL (it carries the password) and the token
    verification key must be given, and placeholder passwords are refused.
    """

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True)

    service_name: str
    database_url: SecretStr
    database_schema: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
    kafka_bootstrap_servers: str
    auth_public_key_file: Path
    auth_issuer: str = "claimstream"
    auth_audience: str = "claimstream-api"
    integration_token_max_days: int = Field(default=90, ge=1, le=366)  # people's and operators' tokens: 1 hour
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

    @field_validator("database_url")
    @classmethod
    def _refuse_placeholder_password(cls, url: SecretStr) -> SecretStr:
        from sqlalchemy.engine import make_url

        password = make_url(url.get_secret_value()).password
        if password is not None and password.lower() in _PLACEHOLDERS:
            raise ValueError("DATABASE_URL uses a placeholder password")
        return url

    @field_validator("auth_public_key_file")
    @classmethod
    def _key_must_exist(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"no public key file at {path}")
        return path
