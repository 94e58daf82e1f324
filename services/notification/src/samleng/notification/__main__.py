"""``python -m samleng.notification [serve|migrate]``, ``... recipients|retention ...``.

The shared command line (:func:`samleng.common.cli.service_main`): arguments are parsed
before any setting is read, so ``--help`` needs no configuration and runs nothing.
"""

from __future__ import annotations

import sys

from samleng.common.cli import Command, ExtraCommand, ServiceParts, service_main


def _parts() -> ServiceParts:
    from samleng.notification.app import create_app, migrate
    from samleng.notification.settings import NotificationSettings

    return ServiceParts(NotificationSettings, create_app, migrate)


def _recipients() -> Command:
    # imported only for this command, so it does not load the web and broker stacks
    from samleng.notification.entrypoints import admin_cli

    return admin_cli.main


def _retention() -> Command:
    from samleng.notification.retention.cli import main

    return main


COMMANDS = {
    "recipients": ExtraCommand(_recipients, "who receives an office's alerts"),
    "retention": ExtraCommand(
        _retention, "erase citizens' contacts of cases final long ago (--dry-run|--yes)"
    ),
}

if __name__ == "__main__":
    sys.exit(service_main("notification", _parts, commands=COMMANDS))
