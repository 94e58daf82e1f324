"""Settings shared by every service: one env prefix (``SAMLENG_``), fail fast on bad config.

Each service subclasses :class:`ServiceSettings`; values come from the environment only::

    class RoutingSettings(ServiceSettings):
        service_name: str = "routing"
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from samleng.common.calendar import load_holidays, time_zone, weekend_of

#: What the example env file puts where a secret goes; never accepted in production.
PLACEHOLDER = "change-me"
#: The least entropy a production secret must show (a 32-byte random key has ~190).
MIN_SECRET_BITS = 128
#: Connection strings are SecretStr (they hold passwords) but are not keys.
_CONNECTION_URLS = frozenset({"amqp_url", "mongo_url"})


def estimated_bits(secret: str) -> float:
    """A generous upper bound of a secret's entropy: its length times the Shannon entropy
    of its own characters. ``"a" * 32`` gives 0; a random URL-safe token of 43 characters
    about 220."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


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
    prefetch_count: int = Field(default=64, ge=1, le=1000)
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
    #: Officer tokens that live longer than this (exp - iat) are refused.
    oidc_max_token_lifetime_seconds: int = Field(default=12 * 3600, ge=60, le=7 * 24 * 3600)
    #: The deployment's working-day calendar (``samleng.common.calendar``), the same for
    #: every service: the offices' time zone (IANA name, or a fixed offset like +07:00),
    time_zone: str = "Asia/Phnom_Penh"
    #: the weekend days (comma-separated: mon,tue,wed,thu,fri,sat,sun),
    weekend: str = "sat,sun"
    #: office hours (local time): a case that arrives after closing starts the next day,
    office_opens_at: time = time(7, 30)
    office_closes_at: time = time(17, 0)
    #: and the public holidays: a versioned JSON file (empty: the bundled Cambodian one).
    holidays_file: str = ""

    @model_validator(mode="after")
    def _default_database(self) -> Self:
        if not self.mongo_database:
            object.__setattr__(self, "mongo_database", f"samleng_{self.service_name}")
        return self

    @model_validator(mode="after")
    def _calendar(self) -> Self:
        time_zone(self.time_zone)
        weekend_of(self.weekend)
        if self.office_opens_at >= self.office_closes_at:
            raise ValueError("SAMLENG_OFFICE_OPENS_AT must be before SAMLENG_OFFICE_CLOSES_AT")
        holidays = load_holidays(self.holidays_file)
        this_year = datetime.now(UTC).year
        if not (holidays.covers(this_year) and holidays.covers(this_year + 1)):
            raise ValueError(
                f"the holidays file (SAMLENG_HOLIDAYS_FILE, version {holidays.version}) covers "
                f"{holidays.first_year}-{holidays.last_year}; add the public holidays of "
                f"{this_year} and {this_year + 1} so deadlines skip them"
            )
        return self

    @model_validator(mode="after")
    def _secrets_not_shared(self) -> Self:
        if not self.is_production:
            return self
        seen: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if not isinstance(value, SecretStr) or name in _CONNECTION_URLS:
                continue
            raw = value.get_secret_value()
            if len(raw) < 16:  # empty or a short token checked by require_secret
                continue
            if raw in seen:
                raise ValueError(
                    f"SAMLENG_{name.upper()} and SAMLENG_{seen[raw].upper()} hold the same "
                    "secret; give each key its own random value (a leak of one must not "
                    "open the others)"
                )
            seen[raw] = name
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
        if self.is_production and estimated_bits(raw) < MIN_SECRET_BITS:
            raise ValueError(
                f"SAMLENG_{name.upper()} is too predictable (about {estimated_bits(raw):.0f} "
                f"bits; at least {MIN_SECRET_BITS} needed): generate it with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
