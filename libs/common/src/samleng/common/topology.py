"""The RabbitMQ topology, declared in one place.

One durable topic exchange carries every event under keys like ``complaint.submitted.v1``.
Each consuming service has one quorum queue with a delivery limit; a message that keeps
failing, or that a consumer rejects as poison, goes to that queue's dead-letter queue
(``<queue>.dlq``) through one direct dead-letter exchange. Nothing is auto-deleted.

Services ask for their queue by name::

    queue = CONSUMERS["routing"]
    queue.rabbit_queue()        # what the FastStream subscriber consumes
    await declare_topology(broker)  # exchanges, queues, DLQs and bindings (idempotent)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

from samleng.common.events import (
    ComplaintAcknowledged,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintForwarded,
    ComplaintRejected,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintSubmitted,
    ComplaintTransferred,
    ComplaintWithdrawn,
    DeadlineApproaching,
    DeadlinePassed,
    EscalationRequested,
    Event,
    ForwardRequested,
    InformationProvided,
    InformationRequested,
    TransferRequested,
    routing_key_of,
)

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

EVENTS_EXCHANGE = RabbitExchange("samleng.events", type=ExchangeType.TOPIC, durable=True)
DEAD_LETTER_EXCHANGE = RabbitExchange("samleng.dead-letter", type=ExchangeType.DIRECT, durable=True)

#: Headers a consumer sets when it dead-letters a message itself.
REASON_HEADER = "x-samleng-dead-letter-reason"
SOURCE_QUEUE_HEADER = "x-samleng-source-queue"
ORIGINAL_ROUTING_KEY_HEADER = "x-samleng-original-routing-key"

DEFAULT_DELIVERY_LIMIT = 5


@dataclass(frozen=True)
class ConsumerQueue:
    """One service's inbox: a quorum queue, what it is bound to, and its dead-letter queue."""

    name: str
    bindings: tuple[str, ...]
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT

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


def _keys(*classes: type[Event]) -> tuple[str, ...]:
    return tuple(routing_key_of(cls) for cls in classes)


#: What each service consumes. A service adds a binding here when it starts handling a
#: new event type; it never declares queues of its own.
CONSUMERS: dict[str, ConsumerQueue] = {
    "intake": ConsumerQueue(
        "intake.case-updates",
        bindings=_keys(
            ComplaintAssigned,
            ComplaintForwarded,
            ComplaintTransferred,
            ComplaintEscalated,
            ComplaintClosed,
        ),
    ),
    "routing": ConsumerQueue(
        "routing.case-events",
        bindings=_keys(
            ComplaintSubmitted,
            ComplaintAcknowledged,
            ComplaintResolved,
            ComplaintRejected,
            ComplaintReopened,
            ComplaintWithdrawn,
            TransferRequested,
            ForwardRequested,
            EscalationRequested,
            ComplaintClosed,
        ),
    ),
    "notification": ConsumerQueue(
        "notification.alerts",
        bindings=_keys(
            ComplaintSubmitted,
            ComplaintAssigned,
            ComplaintForwarded,
            ComplaintTransferred,
            ComplaintEscalated,
            DeadlineApproaching,
            DeadlinePassed,
            InformationRequested,
            InformationProvided,
            ComplaintResolved,
        ),
    ),
    "reporting": ConsumerQueue("reporting.statistics", bindings=("complaint.#",)),
}


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
