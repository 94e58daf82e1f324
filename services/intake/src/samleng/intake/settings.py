"""Intake's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from samleng.common.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Intake: the HTTP front door and case store."""

    service_name: str = "intake"
    http_port: int = Field(default=8000, ge=1, le=65535)
    tracking_code_key: SecretStr = SecretStr("")
    encryption_key: SecretStr = SecretStr("")
    relay_enabled: bool = True
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    max_description_length: int = Field(default=5000, ge=100)

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        self.require_secret("tracking_code_key", self.tracking_code_key)
        return self
