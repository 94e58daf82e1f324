"""Reporting's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from samleng.common.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Reporting: statistics, open data and the dashboard."""

    service_name: str = "reporting"
    http_port: int = Field(default=8003, ge=1, le=65535)
    #: Published cells counting at least one and fewer than this many cases are suppressed.
    small_cell_threshold: int = Field(default=5, ge=1, le=100)
    #: The national headline is recounted in the background at most this often.
    headline_ttl_seconds: float = Field(default=5.0, gt=0, le=3600)
    #: Bearer token of the unsuppressed detail endpoint for analysts until officer sign-in
    #: (OIDC) reaches reporting; empty turns the endpoint off.
    analyst_token: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _strong_analyst_token(self) -> Self:
        if self.analyst_token.get_secret_value():
            self.require_secret("analyst_token", self.analyst_token)
        return self
