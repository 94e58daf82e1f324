"""``python -m samleng.reporting [serve|migrate|rebuild]``.

``rebuild`` forgets every case record and folds them again from the event archive; run it
while no reporting consumer is running (it gives the same figures as live consumption).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from samleng.common.cli import run_service_cli
from samleng.common.logs import configure_logging
from samleng.reporting.app import create_app, migrate, rebuild_statistics
from samleng.reporting.settings import ReportingSettings

log = logging.getLogger("samleng.reporting")


def main(argv: list[str] | None = None) -> None:
    """Run one command; ``rebuild`` here, the shared ones through ``samleng.common.cli``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["rebuild"]:
        settings = ReportingSettings()
        configure_logging(settings.service_name, settings.log_level)
        rebuilt = asyncio.run(rebuild_statistics(settings))
        log.info("rebuilt case records from the archive", extra={"count": rebuilt})
        print(f"rebuilt {rebuilt} case records from the event archive")
        return
    run_service_cli(ReportingSettings, create_app, migrate, args)
