"""Raw AMQP moves of the fault suite: capture events, publish poison and copies, crash a
consumer that holds messages.

    capture(url)                     # before the load: a queue bound to every event
    captured = drain_capture(url)    # after it: every event the services published
    publish_raw(url, [(routing_key, body, headers, message_id), ...])
    held = crash_consumer(url, queue, prefetch=16)   # delivery counts it held when killed
    declare_probe(url); publish_across(url, fault)   # acks of a channel opened during a fault
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Callable
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


PROBE = "fault-suite.probe"


def declare_probe(url: str) -> None:
    """A fanout exchange and a quorum queue behind it, declared through ``url``'s node (so
    that node leads the queue): what :func:`publish_across` publishes to."""

    async def run() -> None:
        connection = await aio_pika.connect(url, timeout=10)
        try:
            channel = await connection.channel()
            exchange = await channel.declare_exchange(PROBE, "fanout", durable=True)
            queue = await channel.declare_queue(
                PROBE, durable=True, arguments={"x-queue-type": "quorum"}
            )
            await queue.bind(exchange)
        finally:
            await connection.close()

    asyncio.run(run())


def publish_across(url: str, fault: Callable[[], None], count: int = 10) -> tuple[int, int]:
    """Start ``fault`` in a thread, open a channel through ``url`` 50 ms later and publish
    ``count`` confirmed messages on it, one every half second; then as many on a fresh
    channel. Return how many each channel got acked (the rest were nacked or timed out)."""

    async def publish(channel: aio_pika.abc.AbstractChannel) -> int:
        exchange = await channel.get_exchange(PROBE, ensure=False)
        acked = 0
        for _ in range(count):
            try:
                await exchange.publish(aio_pika.Message(b"probe", delivery_mode=2), "", timeout=5)
                acked += 1
            except (aio_pika.exceptions.DeliveryError, TimeoutError):
                pass
            await asyncio.sleep(0.5)
        return acked

    async def run() -> tuple[int, int]:
        await asyncio.sleep(0.05)
        first = await aio_pika.connect(url, timeout=10)
        try:
            during = await publish(await first.channel(publisher_confirms=True))
        finally:
            await first.close()
        fresh = await aio_pika.connect(url, timeout=10)
        try:
            after = await publish(await fresh.channel(publisher_confirms=True))
        finally:
            await fresh.close()
        return during, after

    thread = threading.Thread(target=fault, daemon=True)
    thread.start()
    try:
        return asyncio.run(run())
    finally:
        thread.join(30)
