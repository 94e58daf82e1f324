"""The RabbitMQ topology: one exchange, and one quorum queue per consuming service.

One durable topic exchange carries every event under keys like ``complaint.submitted.v1``.
Each consuming service has one quorum queue with a delivery limit; a message that keeps
failing, or that a consumer rejects as poison, goes to that queue's dead-letter queue
(``<queue>.dlq``) through one direct dead-letter exchange. Nothing is auto-deleted.

What each queue is bound to is not kept by hand: it is generated from the services'
handler tables (:mod:`samleng.common.handling`) into ``topology.json`` beside this file
by ``python -m samleng.devstack contracts``, and a test fails when the file and the tables
disagree. Every service declares the whole topology at start, so an event published before
its consumer ever ran is kept, and mandatory publishing never fails for lack of a queue::

    CONSUMERS["routing"].rabbit_queue()   # what routing's subscriber consumes
    await declare_topology(broker)        # exchanges, queues, DLQs and bindings (idempotent)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

EVENTS_EXCHANGE = RabbitExchange("samleng.events", type=ExchangeType.TOPIC, durable=True)
DEAD_LETTER_EXCHANGE = RabbitExchange("samleng.dead-letter", type=ExchangeType.DIRECT, durable=True)

#: Headers a consumer sets when it dead-letters a message itself.
REASON_HEADER = "x-samleng-dead-letter-reason"
SOURCE_QUEUE_HEADER = "x-samleng-source-queue"
ORIGINAL_ROUTING_KEY_HEADER = "x-samleng-original-routing-key"


@dataclass(frozen=True)
class ConsumerQueue:
    """One service's inbox: a quorum queue, what it is bound to, and its dead-letter queue."""

    name: str
    bindings: tuple[str, ...]
    delivery_limit: int

    @property
    def dead_letter_queue_name(self) -> str:
        """Name of the queue that keeps this queue's poison and exhausted messages."""
        return f"{self.name}.dlq"

    def rabbit_queue(self) -> RabbitQueue:
        """The quorum queue, with its delivery limit and dead-letter routing."""
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments={
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
                "x-dead-letter-routing-key": self.name,
            },
        )

    def dead_letter_queue(self) -> RabbitQueue:
        """The dead-letter queue (quorum, durable, never consumed automatically)."""
        return RabbitQueue(
            self.dead_letter_queue_name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=self.name,
        )


TOPOLOGY_FILE = "topology.json"


def consumers_from(document: dict[str, Any]) -> dict[str, ConsumerQueue]:
    """The consumer queues described by a topology document (see :func:`topology_document`)."""
    return {
        entry["service"]: ConsumerQueue(
            entry["queue"], tuple(entry["bindings"]), int(entry["delivery_limit"])
        )
        for entry in document["consumers"]
    }


def topology_document(consumers: dict[str, ConsumerQueue]) -> dict[str, Any]:
    """The JSON form of the consumer queues, as ``topology.json`` keeps it."""
    return {
        "generated_by": "python -m samleng.devstack contracts (from the handler tables)",
        "consumers": [
            {
                "service": service,
                "queue": queue.name,
                "bindings": list(queue.bindings),
                "delivery_limit": queue.delivery_limit,
            }
            for service, queue in sorted(consumers.items())
        ],
    }


def load_consumers() -> dict[str, ConsumerQueue]:
    """The consumer queues of every service, from the generated ``topology.json``."""
    text = resources.files("samleng.common").joinpath(TOPOLOGY_FILE).read_text("utf-8")
    return consumers_from(json.loads(text))


#: What each service consumes, generated from the handler tables (read-only).
CONSUMERS: dict[str, ConsumerQueue] = load_consumers()


async def declare_topology(broker: RabbitBroker) -> None:
    """Declare exchanges, every consumer queue, its DLQ and its bindings (idempotent).

    All queues are declared by every service, so an event published before its consumer
    ever started is kept, and mandatory publishing never fails for lack of a queue.
    """
    events = await broker.declare_exchange(EVENTS_EXCHANGE)
    dead_letters = await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
    for consumer in CONSUMERS.values():
        queue = await broker.declare_queue(consumer.rabbit_queue())
        for key in consumer.bindings:
            await queue.bind(events, routing_key=key)
        dlq = await broker.declare_queue(consumer.dead_letter_queue())
        await dlq.bind(dead_letters, routing_key=consumer.name)
