"""Routing's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from samleng.common.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    """Routing: directory, rules, SLA clocks and escalation."""

    service_name: str = "routing"
    http_port: int = Field(default=8001, ge=1, le=65535)
