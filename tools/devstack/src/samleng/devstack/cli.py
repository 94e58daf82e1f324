"""``python -m samleng.devstack {run,up,down,infra}`` — the local stack behind ``make``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
from types import FrameType
from typing import Any

from samleng.devstack import contracts, infra, stack
from samleng.devstack.infra import StartedProcess
from samleng.devstack.issuer import AuthorizationServer, DevIssuer
from samleng.devstack.mongodb import MongoDBError
from samleng.devstack.net import LOOPBACK
from samleng.devstack.paths import LocalPaths
from samleng.devstack.rabbitmq import RabbitMQError
from samleng.devstack.services import (
    DEFAULT_PORTS,
    DEV_ISSUER,
    RunningService,
    ServiceError,
    tail,
)

_EXPECTED = (stack.StackError, ServiceError, RabbitMQError, MongoDBError)


class Stopped(Exception):
    """SIGTERM arrived; unwind like Ctrl-C."""


def say(message: str) -> None:
    """Print a progress line for the developer."""
    print(f"[devstack] {message}", flush=True)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Stopped


def _ensure_infra(paths: LocalPaths) -> list[StartedProcess]:
    started = infra.ensure_infra(paths)
    for process in started:
        say(f"started {process.name}" + (f" (pid {process.pid})" if process.pid else ""))
    return started


def cmd_infra(paths: LocalPaths) -> int:
    """Ensure RabbitMQ and MongoDB run and print their URLs."""
    started = {process.name for process in _ensure_infra(paths)}
    for name, url in (("rabbitmq", infra.amqp_url()), ("mongodb", infra.mongo_url())):
        state = "started" if name in started else "already running"
        say(f"{name:<9} {url}  ({state})")
    return 0


def cmd_run(paths: LocalPaths) -> int:
    """Run everything in the foreground until Ctrl-C or SIGTERM, then stop what we started."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    # Shells start background jobs with SIGINT ignored; `run` must still stop on Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started_infra: list[StartedProcess] = []
    running: list[RunningService] = []
    code = 0
    try:
        stack.check_ports(stack.all_envs(paths))  # before starting any infra
        started_infra = _ensure_infra(paths)
        running = stack.start_all(paths, say, detached=False)
        print(stack.urls(running, paths), flush=True)
        say("press Ctrl-C to stop")
        while (dead := stack.first_dead(running)) is None:
            time.sleep(1.0)
        say(f"{dead.name} exited with code {dead.returncode}; last lines of {dead.log_path}:")
        print(tail(dead.log_path), flush=True)
        code = 1
    except (KeyboardInterrupt, Stopped):
        say("stopping")
    except _EXPECTED as error:
        say(stack.describe_failure(error))
        code = 1
    finally:
        # A second Ctrl-C must not leave orphans behind: shutdown is bounded anyway.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop_services(running, say)
        for process in reversed(started_infra):
            say(f"stopping {process.name} (started by this run)")
            process.stop(paths)
    return code


def cmd_up(paths: LocalPaths) -> int:
    """Start everything detached, record pids in .local/run, print URLs and return."""
    if stack.stop_detached(paths, say):
        say("restarted: the services of the previous `up` were stopped")
    try:
        stack.check_ports(stack.all_envs(paths))  # before starting any infra
        _ensure_infra(paths)
        running = stack.start_all(paths, say, detached=True)
    except _EXPECTED as error:
        say(stack.describe_failure(error))
        return 1
    print(stack.urls(running, paths), flush=True)
    say("running in the background; `make down` stops it")
    return 0


def cmd_down(paths: LocalPaths) -> int:
    """Stop the services of `up` and any infrastructure the dev stack started."""
    stopped = stack.stop_detached(paths, say)
    recorded = infra.recorded_infra(paths)
    for process in reversed(recorded):
        say(f"stopping {process.name}")
        process.stop(paths)
    if not stopped and not recorded:
        say("nothing to stop")
    return 0


def cmd_token(paths: LocalPaths, args: argparse.Namespace) -> int:
    """Print a dev-issuer access token for a user (officer API, admin endpoints)."""
    issuer = DevIssuer.load_or_create(paths.home / "dev-issuer")
    desks: dict[str, Any] = {"samleng_desks": args.desk} if args.desk else {}
    lifetime = args.hours * 3600
    print(issuer.token(args.subject, args.role, args.office, lifetime_seconds=lifetime, **desks))
    return 0


def cmd_contracts(check: bool) -> int:
    """Regenerate (or, with --check, verify) what the handler tables generate."""
    if check:
        out_of_date = contracts.stale()
        for path in out_of_date:
            say(f"out of date: {path} (run `python -m samleng.devstack contracts`)")
        return 1 if out_of_date else 0
    for path in contracts.write():
        say(f"wrote {path}")
    return 0


def cmd_issuer(paths: LocalPaths) -> int:
    """Serve the dev identity provider (sign-in page, token endpoint) until stopped."""
    host = os.environ.get("SAMLENG_HTTP_HOST", LOOPBACK)
    port = int(os.environ.get("SAMLENG_HTTP_PORT", DEFAULT_PORTS[DEV_ISSUER]))
    issuer = DevIssuer.load_or_create(paths.home / "dev-issuer")
    signal.signal(signal.SIGTERM, _on_sigterm)
    with contextlib.suppress(KeyboardInterrupt, Stopped):
        AuthorizationServer(issuer, f"http://{host}:{port}").serve_forever(port, host)
    return 0


COMMANDS = {
    "run": cmd_run,
    "up": cmd_up,
    "down": cmd_down,
    "infra": cmd_infra,
    "issuer": cmd_issuer,
}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m samleng.devstack", description=__doc__)
    parser.add_argument(
        "command", choices=[*sorted(COMMANDS), "contracts", "token"], help="what to do"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log infra details")
    parser.add_argument("--subject", default="dev-officer", help="token: the user's id")
    parser.add_argument("--role", action="append", default=[], help="token: a role (repeat)")
    parser.add_argument("--office", action="append", default=[], help="token: an office id")
    parser.add_argument("--desk", action="append", default=[], help="token: a desk id")
    parser.add_argument("--hours", type=int, default=8, help="token: lifetime in hours")
    parser.add_argument("--check", action="store_true", help="contracts: only verify")
    args = parser.parse_args(argv)
    if args.command == "contracts":
        return cmd_contracts(args.check)
    if args.command == "token":
        return cmd_token(LocalPaths.default(), args)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="[devstack] %(message)s",
    )
    paths = LocalPaths.default()
    try:
        return COMMANDS[args.command](paths)
    except _EXPECTED as error:
        say(stack.describe_failure(error))
        return 1


if __name__ == "__main__":
    sys.exit(main())
