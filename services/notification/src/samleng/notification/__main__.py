"""``python -m samleng.notification [serve|migrate|recipients ...]``.

The arguments are parsed before any setting is read, so ``--help`` needs no
configuration and runs nothing.
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m samleng.notification")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "recipients"],
        help="serve (default): consumer, couriers and HTTP API; migrate: indexes; "
        "recipients: who receives an office's alerts (see 'recipients --help')",
    )
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, then run the chosen command."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "recipients":
        # imported here so that the CLI does not load the web and broker stacks
        from samleng.notification.entrypoints import admin_cli

        sys.exit(admin_cli.main(args.rest))
    if args.rest:
        _parser().error(f"unrecognized arguments: {' '.join(args.rest)}")

    import asyncio

    from samleng.common.logs import configure_logging
    from samleng.common.runtime import serve
    from samleng.notification.app import create_app, migrate
    from samleng.notification.settings import NotificationSettings

    settings = NotificationSettings()
    if args.command == "migrate":
        configure_logging(settings.service_name, settings.log_level)
        asyncio.run(migrate(settings))
        return
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
