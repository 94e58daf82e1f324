"""Settings shared by every service: one env prefix (``SAMLENG_``), fail fast on bad config.

Each service subclasses :class:`ServiceSettings`; values come from the environment only::

    class RoutingSettings(ServiceSettings):
        service_name: str = "routing"
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: What the example env file puts where a secret goes; never accepted in production.
PLACEHOLDER = "change-me"


class Environment(StrEnum):
    """Where the service runs; secrets must be real outside development and test."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Connection and runtime settings every service shares."""

    model_config = SettingsConfigDict(env_prefix="SAMLENG_", extra="ignore", frozen=True)

    service_name: str = "samleng"
    environment: Environment = Environment.PRODUCTION
    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    mongo_url: SecretStr = SecretStr("mongodb://127.0.0.1:27017/?replicaSet=rs0")
    mongo_database: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    prefetch_count: int = Field(default=16, ge=1, le=1000)
    #: AMQP heartbeat: a silently dead broker link is noticed within about twice this.
    amqp_heartbeat_seconds: int = Field(default=15, ge=0, le=600)
    #: How long a MongoDB operation waits for a usable server before failing fast (a
    #: request then answers 503 with Retry-After; a consumer holds its message).
    mongo_timeout_ms: int = Field(default=2_000, ge=100, le=60_000)
    shutdown_timeout_seconds: float = Field(default=15.0, gt=0)
    otel_exporter_otlp_endpoint: str = ""
    oidc_issuer: str = ""
    oidc_audience: str = "samleng"
    oidc_jwks_url: str = ""
    oidc_jwks_file: str = ""
    oidc_jwks: str = ""

    @model_validator(mode="after")
    def _default_database(self) -> Self:
        if not self.mongo_database:
            object.__setattr__(self, "mongo_database", f"samleng_{self.service_name}")
        return self

    @property
    def is_production(self) -> bool:
        """True unless running in development or test."""
        return self.environment is Environment.PRODUCTION

    def require_secret(self, name: str, value: SecretStr, *, min_length: int = 32) -> None:
        """Refuse an empty or short secret outside development and test."""
        raw = value.get_secret_value()
        if not raw:
            raise ValueError(f"SAMLENG_{name.upper()} must be set")
        if self.is_production and len(raw) < min_length:
            raise ValueError(
                f"SAMLENG_{name.upper()} must be at least {min_length} characters in production"
            )
        if self.is_production and PLACEHOLDER in raw.lower():
            raise ValueError(
                f"SAMLENG_{name.upper()} still holds the example placeholder; "
                "generate a real secret (see deploy/.env.example)"
            )
