"""Routing's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from samleng.common.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    """Routing: directory, rules, SLA clocks and escalation."""

    service_name: str = "routing"
    http_port: int = Field(default=8001, ge=1, le=65535)
    #: Bearer token of the admin API (directory load/validate/diff/activate) until officer
    #: authentication exists; required in production, admin API off when empty elsewhere.
    admin_token: SecretStr = SecretStr("")
    #: The largest directory version an admin may upload (bytes of JSON).
    max_directory_bytes: int = Field(default=8 * 1024 * 1024, ge=64 * 1024)
    #: How often each replica looks for due clocks (seconds of real time).
    clock_poll_seconds: float = Field(default=5.0, gt=0)
    #: How long a replica holds a claimed case before another may take it over.
    clock_lease_seconds: float = Field(default=60.0, gt=0)
    #: How often the outbox relay looks for events to publish when nothing woke it.
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    #: How long a replica routes with the active directory it read before reading it
    #: again (an activation on this replica takes effect at once).
    directory_refresh_seconds: float = Field(default=5.0, ge=0)
    #: The directory a starting service activates when no admin chose one: a file shipped
    #: in ``samleng/routing/reference`` by name, or a path to a directory file.
    initial_directory: str = Field(default="directory.json", min_length=1)
    #: Office hours, time zone, weekend and holidays: the shared calendar settings
    #: (``ServiceSettings``, ``samleng.common.calendar``).
    #: Case limits (a directory version's SLA table may override each; 0 switches it off):
    #: working days from submission (or reopening) to resolution, whatever office has it;
    overall_working_days: int = Field(default=30, ge=0, le=365)
    #: transfers and forwards before the next one sends the case to the provincial ombudsman;
    move_limit: int = Field(default=3, ge=0, le=50)
    #: working days a question waits for the citizen before the case closes as no_reply.
    no_reply_working_days: int = Field(default=10, ge=0, le=90)

    @model_validator(mode="after")
    def _admin_token_in_production(self) -> Self:
        if self.is_production:
            self.require_secret("admin_token", self.admin_token)
        return self
