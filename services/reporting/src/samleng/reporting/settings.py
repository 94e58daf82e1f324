"""Reporting's settings (``SAMLENG_`` environment variables)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from samleng.common.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Reporting: statistics, open data and the dashboard."""

    service_name: str = "reporting"
    http_port: int = Field(default=8003, ge=1, le=65535)
    #: Published cells counting at least one and fewer than this many cases are suppressed.
    small_cell_threshold: int = Field(default=5, ge=1, le=100)
    #: The national headline is recounted in the background at most this often.
    headline_ttl_seconds: float = Field(default=5.0, gt=0, le=3600)
    #: "month_end": public tables are released once a month, as of the start of the month;
    #: "now": rebuilt as events arrive. Default: month_end in production, now elsewhere.
    open_data_as_of: Literal["month_end", "now"] | None = None
    #: How often the publisher looks for years whose public tables are due.
    publish_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    #: The running year is published again after this long even without new events
    #: (its figures are as of now: service standards run out as time passes).
    republish_after_seconds: float = Field(default=3600.0, gt=0, le=86400)

    @property
    def monthly_release(self) -> bool:
        """True when public tables are released as of the start of each month."""
        if self.open_data_as_of is None:
            return self.is_production
        return self.open_data_as_of == "month_end"
