"""Count the MongoDB commands reporting's handler sends per event.

    PYTHONPATH=. uv run python services/reporting/bench/count_operations.py [--cases N]

Needs the dev stack's MongoDB (``make infra``). Feeds a generated history (the real-tier
test generator: every event once, in the order they happened, then a sixth of them again
as duplicates in a random order) through the table's handler on the MongoDB adapters of a
scratch database, with a command listener on the client, and prints per event: commands
by name, round trips, writes that changed a document, documents read and the CPU time of
this process (the handler with its driver, not mongod). Drops the scratch database
afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections import Counter
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from samleng.common.events import Event
from samleng.reporting.app import real_ports
from samleng.reporting.handlers import HANDLERS
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.helpers import generate

_WRITES = {"insert", "update", "delete", "findAndModify"}


class CommandCounter(monitoring.CommandListener):
    """Counts commands, documents returned and writes that changed something."""

    def __init__(self) -> None:
        self.commands: Counter[str] = Counter()
        self.changed = 0
        self.documents_read = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        reply: Any = event.reply
        if event.command_name in _WRITES:
            changed = reply.get("nModified", 0) + reply.get("upserted", []).__len__()
            if event.command_name in ("insert", "delete"):
                changed = reply.get("n", 0)
            self.changed += changed
        cursor = reply.get("cursor") if isinstance(reply, dict) else None
        if cursor:
            self.documents_read += len(cursor.get("firstBatch") or cursor.get("nextBatch") or [])

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _history(cases: int) -> list[Event]:
    events, _ = generate(cases, seed=5)
    in_order = sorted(events, key=lambda e: (e.occurred_at, e.sequence))
    rng = random.Random(5)  # noqa: S311 - a reproducible delivery order
    return in_order + rng.sample(events, k=len(events) // 6)


async def count(cases: int) -> dict[str, Any]:
    """Run the history through the handler and return the counts per event."""
    settings = ReportingSettings(mongo_database=f"samleng_opcount_{uuid.uuid4().hex[:8]}")
    counter = CommandCounter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        tz_aware=True,
        w="majority",
        event_listeners=[counter],
    )
    db = client[settings.mongo_database]
    try:

        class Runtime:  # the one attribute real_ports reads
            pass

        runtime: Any = Runtime()
        runtime.db = db
        ports = real_ports(runtime, settings)
        dispatch = HANDLERS.bind(ports)
        stream = _history(cases)
        counter.commands.clear()
        cpu = time.process_time()
        for event in stream:
            await dispatch(event)
        cpu = time.process_time() - cpu
        n = len(stream)
        return {
            "events": n,
            "round_trips": round(sum(counter.commands.values()) / n, 2),
            "by_command": {k: round(v / n, 2) for k, v in sorted(counter.commands.items())},
            "writes_that_changed_a_document": round(counter.changed / n, 2),
            "documents_read": round(counter.documents_read / n, 2),
            "handler_cpu_ms": round(1000 * cpu / n, 2),
        }
    finally:
        await client.drop_database(settings.mongo_database)
        await client.close()


def main() -> None:
    """Print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    for key, value in asyncio.run(count(args.cases)).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
