"""Reporting's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from samleng.common.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Reporting: statistics, open data and the dashboard."""

    service_name: str = "reporting"
    http_port: int = Field(default=8003, ge=1, le=65535)
