"""``python -m samleng.intake [serve|migrate]``."""

from samleng.common.cli import run_service_cli
from samleng.intake.app import create_app, migrate
from samleng.intake.settings import IntakeSettings

if __name__ == "__main__":
    run_service_cli(IntakeSettings, create_app, migrate)
