"""``python -m samleng.reporting [serve|migrate]`` and ``... rebuild [--yes]``.

- ``serve`` (the default): the HTTP API, the consumer and the publisher;
- ``migrate``: create the indexes (idempotent);
- ``rebuild``: fold every case record again from the event archive (destructive; asks to
  be confirmed, see :mod:`samleng.reporting.entrypoints.cli`).

The shared command line (:func:`samleng.common.cli.service_main`): arguments are parsed
before any setting is read, so ``--help`` needs no configuration and never runs anything.
"""

from __future__ import annotations

import sys

from samleng.common.cli import Command, ExtraCommand, ServiceParts, service_main


def _parts() -> ServiceParts:
    from samleng.reporting.app import create_app, migrate
    from samleng.reporting.settings import ReportingSettings

    return ServiceParts(ReportingSettings, create_app, migrate)


def _rebuild() -> Command:
    from samleng.reporting.entrypoints.cli import run_rebuild

    return run_rebuild


COMMANDS = {"rebuild": ExtraCommand(_rebuild, "fold every case record again from the archive")}

if __name__ == "__main__":
    sys.exit(service_main("reporting", _parts, commands=COMMANDS))
