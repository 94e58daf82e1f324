"""The command line every service shares: ``python -m samleng.<service> serve|migrate``.

``serve`` runs the HTTP app and its consumers; ``migrate`` creates indexes and loads
reference data, idempotently, so it can run before ``serve`` (an init container).

Arguments are parsed before any setting is read, so ``--help`` needs no configuration and
runs nothing. A bad setting, or a broker or database that cannot be reached, ends the
command with one line that says what to fix (exit 2 for configuration, 1 for a
dependency), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aio_pika
from fastapi import FastAPI
from pydantic import ValidationError
from pymongo.asynchronous.database import AsyncDatabase

from samleng.common.logs import configure_logging
from samleng.common.mongo import make_mongo_client, ping
from samleng.common.runtime import serve
from samleng.common.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

CONNECT_TIMEOUT_SECONDS = 10.0


class CommandFailed(Exception):
    """A command cannot run; the message is the one line the operator reads."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def service_name_of(settings_type: type[ServiceSettings]) -> str:
    """The service a settings class configures, without reading the environment."""
    return str(settings_type.model_fields["service_name"].default)


def load_settings(settings_type: type[S]) -> S:
    """The settings from the environment; CommandFailed names each bad variable."""
    try:
        return settings_type()
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            where = ".".join(str(p) for p in error["loc"])
            name = f"SAMLENG_{where.upper()}: " if where else ""
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}{message}")
        raise CommandFailed("configuration: " + "; ".join(problems), exit_code=2) from None


def without_password(url: str) -> str:
    """A connection URL safe to print (the password replaced by ***)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


async def check_dependencies(settings: ServiceSettings, *, broker: bool = True) -> None:
    """Reach the broker (unless ``broker=False``) and MongoDB once; CommandFailed says
    which one and where to look."""
    if broker:
        await _check_broker(settings)
    client = make_mongo_client(settings)
    try:
        if not await ping(client):
            mongo = without_password(settings.mongo_url.get_secret_value())
            raise CommandFailed(
                f"MongoDB unreachable at {mongo}: check SAMLENG_MONGO_URL and that the "
                "replica set has a primary"
            )
    finally:
        await client.close()


@contextlib.asynccontextmanager
async def service_database(settings: ServiceSettings) -> AsyncIterator[AsyncDatabase[Any]]:
    """The service's database for one command, its client closed afterwards."""
    client = make_mongo_client(settings)
    try:
        yield client[settings.mongo_database]
    finally:
        await client.close()


def retention_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The command line of a service's ``retention`` command: ``--dry-run`` or ``--yes``."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="only count what is due")
    mode.add_argument("--yes", action="store_true", help="erase what is due")
    return parser


async def _check_broker(settings: ServiceSettings) -> None:
    amqp = settings.amqp_url.get_secret_value()
    try:
        connection = await asyncio.wait_for(aio_pika.connect(amqp), timeout=CONNECT_TIMEOUT_SECONDS)
    except Exception as exc:
        raise CommandFailed(
            f"broker unreachable at {without_password(amqp)} ({type(exc).__name__}): "
            "check SAMLENG_AMQP_URL and that RabbitMQ runs"
        ) from None
    await connection.close()


#: A service's own command (``directory``, ``audit``, ``rebuild``): it parses the rest of
#: the command line itself and returns the exit status.
Command = Callable[[list[str]], int]


@dataclass(frozen=True)
class ServiceParts:
    """What ``serve`` and ``migrate`` need, imported only once a command runs."""

    settings_type: type[ServiceSettings]
    create_app: Callable[[Any], FastAPI]
    migrate: Callable[[Any], Coroutine[Any, Any, None]]
    #: False for a service that reaches others only over HTTP (the web front end)
    uses_broker_and_database: bool = True


@dataclass(frozen=True)
class ExtraCommand:
    """A service's own command: how to load it and one line of help."""

    load: Callable[[], Command]
    help: str


def service_main(
    name: str,
    parts: Callable[[], ServiceParts],
    *,
    commands: Mapping[str, ExtraCommand] | None = None,
    argv: list[str] | None = None,
) -> int:
    """``python -m samleng.<name> [serve|migrate|<command> ...]``; the exit status.

    Every service's ``__main__`` is this call. Nothing is imported, configured or
    connected before the arguments are parsed, so ``--help`` is free.
    """
    extra = dict(commands or {})
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] and args[0] in extra:
        return extra[args[0]].load()(args[1:])
    parser = argparse.ArgumentParser(
        prog=f"python -m samleng.{name}",
        description=f"Run the Samleng {name} service, or prepare its database.",
        epilog="".join(f"{cmd}: {c.help} (see '{cmd} --help'). " for cmd, c in extra.items())
        or None,
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", *extra],
        help="serve: HTTP API and consumers (default); migrate: indexes and reference data",
    )
    parsed = parser.parse_args(args)
    loaded = parts()
    try:
        settings = load_settings(loaded.settings_type)
        if loaded.uses_broker_and_database:
            # migrate only writes to MongoDB: it may run before the broker is up
            asyncio.run(check_dependencies(settings, broker=parsed.command != "migrate"))
    except CommandFailed as failed:
        print(f"samleng {name}: {failed}", file=sys.stderr)
        return failed.exit_code
    if parsed.command == "migrate":
        configure_logging(settings.service_name, settings.log_level)
        asyncio.run(loaded.migrate(settings))
        return 0
    serve(loaded.create_app(settings), settings)
    return 0
