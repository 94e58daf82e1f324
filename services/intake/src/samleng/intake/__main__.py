"""``python -m samleng.intake [serve|migrate]``, ``... audit ...`` and ``... retention ...``.

The shared command line (:func:`samleng.common.cli.service_main`): arguments are parsed
before any setting is read, so ``--help`` needs no configuration and runs nothing.
"""

from __future__ import annotations

import sys

from samleng.common.cli import Command, ExtraCommand, ServiceParts, service_main


def _parts() -> ServiceParts:
    from samleng.intake.app import create_app, migrate
    from samleng.intake.settings import IntakeSettings

    return ServiceParts(IntakeSettings, create_app, migrate)


def _audit() -> Command:
    from samleng.intake.audit_cli import main

    return main


def _retention() -> Command:
    from samleng.intake.retention.cli import main

    return main


COMMANDS = {
    "audit": ExtraCommand(_audit, "verify and read the audit trail"),
    "retention": ExtraCommand(
        _retention, "erase contacts and attachments of cases closed long ago (--dry-run|--yes)"
    ),
}

if __name__ == "__main__":
    sys.exit(service_main("intake", _parts, commands=COMMANDS))
