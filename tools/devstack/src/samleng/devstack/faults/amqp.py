"""Raw AMQP moves of the fault suite: capture events, publish poison and copies, crash a
consumer that holds messages.

    capture(url)                     # before the load: a queue bound to every event
    captured = drain_capture(url)    # after it: every event the services published
    publish_raw(url, [(routing_key, body, headers, message_id), ...])
    held = crash_consumer(url, queue, prefetch=16)   # delivery counts it held when killed
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import aio_pika

from samleng.common.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE

CAPTURE_QUEUE = "fault-suite.capture"


@dataclass(frozen=True)
class Captured:
    """One message as the services published it."""

    routing_key: str
    body: bytes
    headers: dict[str, Any]
    message_id: str | None


def capture(url: str) -> None:
    """Declare a queue that keeps a copy of every event published from now on."""

    async def run() -> None:
        connection = await aio_pika.connect(url, timeout=10)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(CAPTURE_QUEUE, durable=True)
            await queue.bind(EVENTS_EXCHANGE.name, routing_key="#")
        finally:
            await connection.close()

    asyncio.run(run())


def drain_capture(url: str) -> list[Captured]:
    """Take every message out of the capture queue."""

    async def run() -> list[Captured]:
        found = []
        connection = await aio_pika.connect(url, timeout=10)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(CAPTURE_QUEUE, durable=True)
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                found.append(
                    Captured(
                        message.routing_key or "",
                        message.body,
                        dict(message.headers or {}),
                        message.message_id,
                    )
                )
        finally:
            await connection.close()
        return found

    return asyncio.run(run())


def publish_raw(url: str, messages: list[Captured], exchange: str = EVENTS_EXCHANGE.name) -> None:
    """Publish ``messages`` as they are (persistent, mandatory, confirmed)."""

    async def run() -> None:
        connection = await aio_pika.connect(url, timeout=10)
        try:
            channel = await connection.channel(publisher_confirms=True)
            target = await channel.get_exchange(exchange, ensure=False)
            for message in messages:
                await target.publish(
                    aio_pika.Message(
                        message.body,
                        headers=message.headers,
                        message_id=message.message_id,
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=message.routing_key,
                    mandatory=True,
                )
        finally:
            await connection.close()

    asyncio.run(run())


def declare_limited_queue(url: str, name: str, delivery_limit: int) -> None:
    """A quorum queue like the services' (limit, dead-lettering) with its own DLQ."""

    async def run() -> None:
        connection = await aio_pika.connect(url, timeout=10)
        try:
            channel = await connection.channel()
            await channel.declare_queue(
                name,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-delivery-limit": delivery_limit,
                    "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
                    "x-dead-letter-routing-key": name,
                },
            )
            dlq = await channel.declare_queue(
                f"{name}.dlq", durable=True, arguments={"x-queue-type": "quorum"}
            )
            await dlq.bind(DEAD_LETTER_EXCHANGE.name, routing_key=name)
        finally:
            await connection.close()

    asyncio.run(run())


def queue_depth(url: str, name: str) -> int:
    """Messages ready in ``name``."""

    async def run() -> int:
        connection = await aio_pika.connect(url, timeout=10)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(name, passive=True)
            return int(queue.declaration_result.message_count or 0)
        finally:
            await connection.close()

    return asyncio.run(run())


#: A consumer that takes ``prefetch`` messages without acking any, reports their delivery
#: counts, then kills itself with SIGKILL: a service crashing while it holds messages.
_CRASHING_CONSUMER = """
import asyncio, json, os, signal, sys
import aio_pika

async def main(url, queue_name, prefetch):
    connection = await aio_pika.connect(url, timeout=10)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.declare_queue(queue_name, passive=True)
    held = []
    done = asyncio.Event()

    async def on_message(message):
        held.append(int((message.headers or {}).get("x-delivery-count", 0) or 0))
        if len(held) >= prefetch:
            done.set()

    await queue.consume(on_message, no_ack=False)
    try:
        await asyncio.wait_for(done.wait(), 10)
    except TimeoutError:
        pass
    print(json.dumps(held), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def crash_consumer(url: str, queue: str, prefetch: int = 16) -> list[int]:
    """Run a consumer that is killed (-9) while holding ``prefetch`` messages; return the
    ``x-delivery-count`` of each message it held."""
    done = subprocess.run(
        [sys.executable, "-c", _CRASHING_CONSUMER, url, queue, str(prefetch)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    if not lines:
        raise RuntimeError(f"crashing consumer printed nothing: {done.stderr[-1000:]}")
    return [int(count) for count in json.loads(lines[-1])]
