"""``python -m samleng.routing [serve|migrate]`` and ``python -m samleng.routing directory ...``.

Arguments are parsed before any setting is read, so ``--help`` needs no configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from samleng.common.logs import configure_logging
from samleng.common.runtime import serve
from samleng.routing.app import create_app, migrate
from samleng.routing.entrypoints.cli import run_directory_cli
from samleng.routing.settings import RoutingSettings


def main(argv: list[str]) -> int:
    """Run one command; the process exit status."""
    if argv[:1] == ["directory"]:
        return run_directory_cli(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m samleng.routing",
        epilog="Directory administration: python -m samleng.routing directory --help",
    )
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = RoutingSettings()
    if args.command == "migrate":
        configure_logging(settings.service_name, settings.log_level)
        asyncio.run(migrate(settings))
        return 0
    serve(create_app(settings), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
