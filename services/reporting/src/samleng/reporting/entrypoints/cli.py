"""``python -m samleng.reporting rebuild [--yes]``: fold every case record again.

Destructive: it forgets every case record and publication and folds the records again
from the event archive, so it asks to be confirmed (the operator types ``rebuild`` at a
terminal), or takes ``--yes`` in scripts. Run it while no reporting consumer runs (it
gives the same figures as live consumption). ``--help`` reads no settings and runs
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import aio_pika

from samleng.common.cli import CommandFailed, load_settings
from samleng.common.logs import configure_logging
from samleng.common.topology import CONSUMERS
from samleng.reporting.app import rebuild_statistics
from samleng.reporting.settings import ReportingSettings

log = logging.getLogger("samleng.reporting")

#: What the operator types to confirm a rebuild.
CONFIRMATION = "rebuild"


def parser() -> argparse.ArgumentParser:
    """The command line of ``rebuild``."""
    parsed = argparse.ArgumentParser(
        prog="python -m samleng.reporting rebuild",
        description="Forget every case record and publication, then fold the records again "
        "from the event archive. Stop every reporting consumer first.",
    )
    parsed.add_argument(
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


async def consumers_running(settings: ReportingSettings) -> int:
    """How many consumers read reporting's queue right now (0 if it does not exist yet)."""
    connection = await aio_pika.connect(settings.amqp_url.get_secret_value())
    try:
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(CONSUMERS["reporting"].name, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return 0
        return int(queue.declaration_result.consumer_count or 0)
    finally:
        await connection.close()


def run_rebuild(argv: list[str]) -> int:
    """Run ``rebuild``; the exit status."""
    args = parser().parse_args(argv)
    if not (args.yes or confirmed()):
        print("rebuild not confirmed: nothing was changed (pass --yes in scripts)", file=sys.stderr)
        return 1
    try:
        settings = load_settings(ReportingSettings)
    except CommandFailed as failed:
        print(f"samleng reporting: {failed}", file=sys.stderr)
        return failed.exit_code
    running = asyncio.run(consumers_running(settings))
    if running:
        print(
            f"samleng reporting: {running} reporting consumer(s) still run on "
            f"{CONSUMERS['reporting'].name}; stop them first (a rebuild beside live "
            "consumption could lose events)",
            file=sys.stderr,
        )
        return 1
    configure_logging(settings.service_name, settings.log_level)
    rebuilt = asyncio.run(rebuild_statistics(settings))
    log.info("rebuilt case records from the archive", extra={"count": rebuilt})
    print(f"rebuilt {rebuilt} case records from the event archive")
    return 0
