"""``python -m samleng.reporting [serve|migrate]``."""

from samleng.common.cli import run_service_cli
from samleng.reporting.app import create_app, migrate
from samleng.reporting.settings import ReportingSettings

if __name__ == "__main__":
    run_service_cli(ReportingSettings, create_app, migrate)
