"""``python -m samleng.reporting [serve|migrate|rebuild]`` (also ``samleng reporting ...``).

- ``serve`` (the default): the HTTP API, the consumer and the publisher;
- ``migrate``: create the indexes (idempotent);
- ``rebuild``: forget every case record and publication and fold the records again from
  the event archive. Destructive: it asks to be confirmed, or takes ``--yes`` in scripts.
  Run it while no reporting consumer runs (it gives the same figures as live consumption).

The arguments are parsed before any setting is read, so ``--help`` needs no
configuration and never runs anything.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from samleng.common.logs import configure_logging
from samleng.common.runtime import serve
from samleng.reporting.app import create_app, migrate, rebuild_statistics
from samleng.reporting.settings import ReportingSettings

log = logging.getLogger("samleng.reporting")

#: What the operator types to confirm a rebuild.
CONFIRMATION = "rebuild"


def parser() -> argparse.ArgumentParser:
    """The command line of reporting."""
    parsed = argparse.ArgumentParser(
        prog="python -m samleng.reporting", description="Samleng reporting."
    )
    commands = parsed.add_subparsers(dest="command", metavar="{serve,migrate,rebuild}")
    commands.add_parser("serve", help="serve the API, consume events and publish (default)")
    commands.add_parser("migrate", help="create reporting's indexes (idempotent)")
    rebuild = commands.add_parser(
        "rebuild",
        help="forget every case record and publication; fold them again from the archive",
        description="Forget every case record and publication, then fold the records again "
        "from the event archive. Stop every reporting consumer first.",
    )
    rebuild.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation (for scripts)"
    )
    return parsed


def confirmed() -> bool:
    """True when the operator types the confirmation word at an interactive terminal."""
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(
            "This forgets every case record and publication and folds them again from the "
            f"event archive. Type {CONFIRMATION!r} to go on: "
        )
    except EOFError:
        return False
    return answer.strip() == CONFIRMATION


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or "serve"
    if command == "rebuild" and not (args.yes or confirmed()):
        print("rebuild not confirmed: nothing was changed (pass --yes in scripts)", file=sys.stderr)
        return 1
    settings = ReportingSettings()
    if command == "serve":
        serve(create_app(settings), settings)
        return 0
    configure_logging(settings.service_name, settings.log_level)
    if command == "migrate":
        asyncio.run(migrate(settings))
        return 0
    rebuilt = asyncio.run(rebuild_statistics(settings))
    log.info("rebuilt case records from the archive", extra={"count": rebuilt})
    print(f"rebuilt {rebuilt} case records from the event archive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
