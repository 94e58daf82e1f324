"""``python -m samleng.routing [serve|migrate]`` and ``python -m samleng.routing directory ...``.

The shared command line (:func:`samleng.common.cli.service_main`): arguments are parsed
before any setting is read, so ``--help`` needs no configuration.
"""

from __future__ import annotations

import sys

from samleng.common.cli import Command, ExtraCommand, ServiceParts, service_main


def _parts() -> ServiceParts:
    from samleng.routing.app import create_app, migrate
    from samleng.routing.settings import RoutingSettings

    return ServiceParts(RoutingSettings, create_app, migrate)


def _directory() -> Command:
    from samleng.routing.entrypoints.cli import run_directory_cli

    return run_directory_cli


COMMANDS = {"directory": ExtraCommand(_directory, "validate, load, diff and activate directories")}

if __name__ == "__main__":
    sys.exit(service_main("routing", _parts, commands=COMMANDS))
