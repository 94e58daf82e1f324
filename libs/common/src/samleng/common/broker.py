"""FastStream broker factory, the event publisher and the inboxes' registration.

Publishing is never silent: publisher confirms are on, messages are persistent and
mandatory, and a returned (unroutable) or nacked message raises :class:`PublishFailed`.

Consuming goes through :func:`subscribe_table`, which binds a service's handler table
(:mod:`samleng.common.handling`) to its queue in an :class:`~samleng.common.inbox.Inbox`
on the broker's connection (``ServiceRuntime`` starts and stops it). The inbox acks after
the handler returns, dead-letters poison with its reason (:func:`dead_letter`), holds a
message while a dependency is down, returns a failing one with ``basic.reject`` and
dead-letters it on its last allowed delivery: :mod:`samleng.common.inbox` says how.

Both sides are observed: the publisher injects the W3C ``traceparent`` of a producer span
into the message headers and the inbox continues that trace in a consumer span
(:mod:`samleng.common.telemetry`); both count into the broker's
:class:`~samleng.common.metrics.ServiceMetrics` (:mod:`samleng.common.metrics`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import weakref
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aio_pika
from aiormq.exceptions import DeliveryError, PublishError
from faststream.rabbit import Channel, RabbitBroker

from samleng.common import metrics as service_metrics
from samleng.common import telemetry
from samleng.common.events import Event
from samleng.common.handling import Dispatch, HandlerTable, PoisonMessage
from samleng.common.health import DependencyHealth, DependencyUnavailable
from samleng.common.inbox import Inbox
from samleng.common.settings import ServiceSettings
from samleng.common.topology import (
    CONSUMERS,
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    SOURCE_QUEUE_HEADER,
    ConsumerQueue,
)

__all__ = [
    "EventPublisher",
    "Inbox",
    "PoisonMessage",
    "PublishFailed",
    "TopologyDrift",
    "dead_letter",
    "inboxes_of",
    "make_broker",
    "subscribe_inbox",
    "subscribe_table",
]

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 10.0


class PublishFailed(DependencyUnavailable):
    """The broker did not take responsibility for a message (returned, nacked, timed out)."""

    def __init__(self, reason: str) -> None:
        super().__init__("broker", reason)


class TopologyDrift(RuntimeError):
    """A handler table and the generated topology disagree; regenerate the contracts."""


def with_heartbeat(url: str, seconds: int) -> str:
    """The AMQP URL with a ``heartbeat`` query parameter, unless it already sets one.

    Heartbeats make a silently dead link (a stalled network, a frozen broker) fail within
    about two intervals, so readiness goes down and the client reconnects.
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("heartbeat", str(seconds))
    return urlunsplit(parts._replace(query=urlencode(query)))


def make_broker(settings: ServiceSettings) -> RabbitBroker:
    """A RabbitBroker with confirms, raising returns, heartbeats and bounded prefetch.

    It holds the service's robust connection, declares the topology and publishes dead
    letters; the inboxes consume on channels of that connection (:class:`Inbox`).
    """
    return RabbitBroker(
        with_heartbeat(settings.amqp_url.get_secret_value(), settings.amqp_heartbeat_seconds),
        default_channel=Channel(
            prefetch_count=settings.prefetch_count,
            publisher_confirms=True,
            on_return_raises=True,
        ),
        app_id=f"samleng-{settings.service_name}",
        logger=logging.getLogger(f"samleng.{settings.service_name}.broker"),
        log_level=logging.DEBUG,
        fail_fast=True,
        apply_types=False,
    )


class EventPublisher:
    """Publishes events to the topic exchange and waits for the broker's confirm."""

    def __init__(
        self,
        broker: RabbitBroker,
        metrics: service_metrics.ServiceMetrics | None = None,
        *,
        amqp_url: str,
    ) -> None:
        self._metrics = metrics or service_metrics.of(broker)
        self._url = amqp_url
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._reopening = asyncio.Lock()

    async def start(self) -> None:
        """Open the publisher's own connection and confirm channel.

        Publishing on a connection of its own keeps broker flow control on publishers from
        stalling the consumers, and lets a channel the broker nacks for good be replaced
        without touching them.
        """
        if self._connection is None:
            self._connection = await aio_pika.connect_robust(self._url)
            await self._open_channel()

    async def close(self) -> None:
        """Close the publisher's own connection."""
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            await connection.close()

    def is_open(self) -> bool:
        """Whether the publisher's link is up."""
        connection = self._connection
        return connection is not None and not connection.is_closed and self._exchange is not None

    async def _open_channel(self) -> None:
        assert self._connection is not None
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._exchange = await self._channel.get_exchange(EVENTS_EXCHANGE.name, ensure=False)

    async def _replace_channel(self, failed: aio_pika.abc.AbstractChannel | None) -> None:
        """Open a new channel unless another publish already replaced ``failed``."""
        async with self._reopening:
            if self._channel is not failed or self._connection is None:
                return
            log.warning("the broker nacked a publish: opening a new publishing channel")
            with contextlib.suppress(Exception):
                if failed is not None:
                    await failed.close()
            await self._open_channel()

    async def publish(self, event: Event, *, headers: dict[str, Any] | None = None) -> None:
        """Publish one event; raise PublishFailed unless the broker confirmed it.

        A ``traceparent`` in ``headers`` (stored with an outbox entry) is the parent of
        the publish span; otherwise the current span is.
        """
        outgoing = {
            k: v
            for k, v in (headers or {}).items()
            if k not in (telemetry.TRACEPARENT, telemetry.TRACESTATE)
        }
        with telemetry.span(
            self._metrics.service,
            f"{event.routing_key} publish",
            kind=telemetry.SpanKind.PRODUCER,
            parent=telemetry.extract(headers),
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": EVENTS_EXCHANGE.name,
                "messaging.rabbitmq.destination.routing_key": event.routing_key,
                "messaging.message.id": str(event.event_id),
                "samleng.complaint_id": event.complaint_id,
            },
        ):
            telemetry.inject(outgoing)
            await self._publish_on_own_channel(event, outgoing)
        self._count_published(event)

    async def _publish_on_own_channel(self, event: Event, headers: dict[str, Any]) -> None:
        channel, exchange = self._channel, self._exchange
        if exchange is None:
            raise PublishFailed("the publisher is not started (no connection to the broker)")
        message = aio_pika.Message(
            event.to_json_bytes(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(event.event_id),
            correlation_id=event.correlation_id,
            type=event.type,
            headers=headers or None,
        )
        try:
            await exchange.publish(
                message, event.routing_key, mandatory=True, timeout=PUBLISH_TIMEOUT_SECONDS
            )
        except PublishError as exc:  # returned: no queue is bound to the key
            raise PublishFailed(f"broker returned {event.routing_key!r}: {exc}") from exc
        except DeliveryError as exc:
            # A nack. A channel opened while a quorum queue's leader was being elected can
            # be nacked for good (seen on RabbitMQ 3.10): replace it, the retry succeeds.
            await self._replace_channel(channel)
            raise PublishFailed(f"broker nacked {event.routing_key!r}; channel replaced") from exc
        except TimeoutError as exc:
            raise PublishFailed(f"no confirm for {event.routing_key!r} in time") from exc

    def _count_published(self, event: Event) -> None:
        with telemetry.guarded("metrics-publish"):
            m = self._metrics
            m.events_published.labels(routing_key=event.routing_key).inc()
            lag = max(0.0, time.time() - event.occurred_at.timestamp())
            m.outbox_lag.labels(routing_key=event.routing_key).observe(lag)
            if event.type == "complaint.escalated":
                trigger = getattr(getattr(event, "data", None), "trigger", None)
                m.escalations.labels(trigger=str(trigger or "unknown")).inc()


async def _confirmed_publish(broker: RabbitBroker, body: bytes, **options: Any) -> None:
    try:
        confirmation = await broker.publish(
            body,
            mandatory=True,
            persist=True,
            content_type="application/json",
            timeout=PUBLISH_TIMEOUT_SECONDS,
            **options,
        )
    except DeliveryError as exc:
        raise PublishFailed(
            f"broker refused {options.get('routing_key')!r}: returned or nacked ({exc})"
        ) from exc
    except TimeoutError as exc:
        raise PublishFailed(f"no confirm for {options.get('routing_key')!r} in time") from exc
    if confirmation is None:
        raise PublishFailed("publisher confirms are off; refusing to publish unconfirmed")


async def dead_letter(
    broker: RabbitBroker,
    consumer: ConsumerQueue,
    message: aio_pika.abc.AbstractIncomingMessage,
    reason: str,
) -> None:
    """Send a message to the consumer's dead-letter queue with the reason in a header."""
    headers = dict(message.headers or {})
    headers[REASON_HEADER] = reason[:1000]
    headers[SOURCE_QUEUE_HEADER] = consumer.name
    headers[ORIGINAL_ROUTING_KEY_HEADER] = message.routing_key or ""
    await _confirmed_publish(
        broker,
        message.body,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=consumer.name,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        headers=headers,
    )


def subscribe_table(
    broker: RabbitBroker,
    table: HandlerTable[Any],
    ports: Any,
    *,
    health: DependencyHealth | None = None,
) -> Inbox:
    """Register a service's one inbox: its queue, driven by its handler table.

    Raises :class:`TopologyDrift` when the table names events the generated topology does
    not bind to the service's queue (``python -m samleng.devstack contracts`` fixes it).
    """
    declared = CONSUMERS.get(table.service)
    wanted = table.consumer_queue()
    if declared != wanted:
        raise TopologyDrift(
            f"{table.service}: handler table wants {wanted}, topology.json has {declared}; "
            "run `python -m samleng.devstack contracts`"
        )
    return subscribe_inbox(broker, declared, table.bind(ports), health=health)


_inboxes: weakref.WeakKeyDictionary[RabbitBroker, list[Inbox]] = weakref.WeakKeyDictionary()


def subscribe_inbox(
    broker: RabbitBroker,
    consumer: ConsumerQueue,
    dispatch: Dispatch,
    *,
    health: DependencyHealth | None = None,
) -> Inbox:
    """Register an inbox of ``consumer`` on ``broker``'s connection that hands each event
    to ``dispatch``; it consumes from :meth:`Inbox.start` (``ServiceRuntime`` starts it)."""
    inbox = Inbox(
        consumer,
        dispatch,
        connect=broker.connect,
        dead_letter=functools.partial(dead_letter, broker),
        metrics=service_metrics.of(broker),
        health=health or DependencyHealth(),
    )
    _inboxes.setdefault(broker, []).append(inbox)
    return inbox


def inboxes_of(broker: RabbitBroker) -> tuple[Inbox, ...]:
    """The inboxes registered on ``broker``, in registration order."""
    return tuple(_inboxes.get(broker, ()))
