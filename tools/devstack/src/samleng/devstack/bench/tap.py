"""A tap on the event exchange: who was submitted and routed, and when we saw it.

    python -m samleng.devstack.bench.tap <amqp url> <output file>

Binds an exclusive, auto-deleted queue of its own to ``complaint.submitted.v1`` and
the routing decisions, prints ``ready`` once bound, and appends one tab-separated line
per delivery: seen (Unix time), type, complaint id, event id, occurred_at (Unix time).
It runs as its own process so its CPU is neither the services' nor the load's.
``EventLog`` reads the file back.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

EXCHANGE = "samleng.events"
SUBMITTED = "complaint.submitted"
ROUTED = ("complaint.assigned", "complaint.forwarded")
KEYS = [f"{SUBMITTED}.v1", *(f"{name}.v1" for name in ROUTED)]


def _unix(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


async def tap(amqp_url: str, output: Path) -> None:
    """Consume the tap queue until killed, writing every delivery to ``output``."""
    import aio_pika

    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=500)
    exchange = await channel.get_exchange(EXCHANGE, ensure=True)
    queue = await channel.declare_queue("", exclusive=True, auto_delete=True)
    for key in KEYS:
        await queue.bind(exchange, key)
    with output.open("a", encoding="utf-8", buffering=1 << 16) as sink:

        async def seen(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            event = json.loads(message.body)
            sink.write(
                f"{time.time():.6f}\t{event['type']}\t{event['complaint_id']}\t"
                f"{event['event_id']}\t{_unix(event['occurred_at']):.6f}\n"
            )
            await message.ack()

        await queue.consume(seen)
        print("ready", flush=True)
        while True:
            await asyncio.sleep(0.2)
            sink.flush()


@dataclass
class EventLog:
    """What the tap saw so far, read incrementally from its file."""

    path: Path
    submitted: dict[str, float] = field(default_factory=dict)  # id -> occurred_at
    routed: dict[str, float] = field(default_factory=dict)  # id -> first seen
    decisions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    republished: int = 0  # the same submitted event seen again
    _offset: int = 0

    def refresh(self) -> None:
        """Read the lines written since the last call."""
        with self.path.open("rb") as source:
            source.seek(self._offset)
            chunk = source.read()
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        for line in chunk[:end].decode().splitlines():
            seen, kind, complaint, event_id, occurred = line.split("\t")
            if kind == SUBMITTED:
                if complaint in self.submitted:
                    self.republished += 1
                self.submitted.setdefault(complaint, float(occurred))
            elif kind in ROUTED:
                self.routed.setdefault(complaint, float(seen))
                self.decisions[complaint].add(event_id)


def main() -> None:
    """Run the tap (arguments: AMQP URL, output file)."""
    asyncio.run(tap(sys.argv[1], Path(sys.argv[2])))


if __name__ == "__main__":
    main()
