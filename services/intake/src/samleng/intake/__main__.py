"""``python -m samleng.intake [serve|migrate]`` and ``python -m samleng.intake audit ...``.

The arguments are parsed before any setting is read, so ``--help`` needs no configuration
and runs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from samleng.common.logs import configure_logging
from samleng.common.runtime import serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m samleng.intake",
        epilog="'audit verify|query' checks and reads the audit trail (see 'audit --help').",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate"],
        help="serve the HTTP API and the inbox (default), or create the indexes",
    )
    return parser


def main(argv: list[str]) -> int:
    """Run one command of intake's command line."""
    if argv[:1] == ["audit"]:
        from samleng.intake.audit_cli import main as audit

        return audit(argv[1:])
    args = _parser().parse_args(argv)
    from samleng.intake.app import create_app, migrate
    from samleng.intake.settings import IntakeSettings

    settings = IntakeSettings()
    if args.command == "migrate":
        configure_logging(settings.service_name, settings.log_level)
        asyncio.run(migrate(settings))
        return 0
    serve(create_app(settings), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
