"""``python -m samleng.intake [serve|migrate]`` and ``python -m samleng.intake audit ...``."""

import sys

from samleng.common.cli import run_service_cli
from samleng.intake.app import create_app, migrate
from samleng.intake.settings import IntakeSettings

if __name__ == "__main__":
    if sys.argv[1:2] == ["audit"]:
        from samleng.intake.audit_cli import main

        sys.exit(main(sys.argv[2:]))
    run_service_cli(IntakeSettings, create_app, migrate)
