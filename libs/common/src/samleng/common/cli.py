"""The command line every service shares: ``python -m samleng.<service> serve|migrate``.

``serve`` runs the HTTP app and its consumers; ``migrate`` creates indexes and loads
reference data, idempotently, so it can run as a one-time job before ``serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import FastAPI

from samleng.common.logs import configure_logging
from samleng.common.runtime import serve
from samleng.common.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def run_service_cli(
    settings_type: type[S],
    create_app: Callable[[S], FastAPI],
    migrate: Callable[[S], Coroutine[Any, Any, None]],
    argv: list[str] | None = None,
) -> None:
    """Parse the command line and run ``serve`` (default) or ``migrate``."""
    settings = settings_type()
    parser = argparse.ArgumentParser(prog=f"python -m samleng.{settings.service_name}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.command == "migrate":
        configure_logging(settings.service_name, settings.log_level)
        asyncio.run(migrate(settings))
        return
    serve(create_app(settings), settings)
