"""Notification's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from samleng.common.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    """Notification: alerts to officers and opted-in citizens."""

    service_name: str = "notification"
    http_port: int = Field(default=8002, ge=1, le=65535)
