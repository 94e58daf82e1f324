"""FastStream broker factory, the event publisher and the event inbox (consumer side).

Publishing is never silent: publisher confirms are on, messages are persistent and
mandatory, and a returned (unroutable) or nacked message raises :class:`PublishFailed`.

Consuming goes through :func:`subscribe_table`, which binds a service's handler table
(:mod:`samleng.common.handling`) to its queue. The inbox reads the raw body itself (no
decoding by FastStream, so bad JSON takes the poison path too), validates the event,
hands it to the table's handler (events of one complaint one at a time, in delivery
order; different complaints side by side, up to the prefetch count) and

- acks after the handler returns (the service wrote what it had to, durably);
- dead-letters, with the reason in a header, a message that is not a valid event or that
  the handler refuses with :class:`PoisonMessage`, then acks it: poison never loops;
- holds a message whose handler failed because a dependency is down (MongoDB, the
  broker; see :func:`samleng.common.health.transient_dependency`): it is retried in place,
  with back-off, until the dependency answers, and meanwhile ``/readyz`` reports the
  dependency down. Holding uses up no delivery attempt: the message is not at fault;
- returns the message to the queue (``basic.reject`` with requeue, which every RabbitMQ
  version counts as a failed delivery) on any other error after a short back-off, and on
  the queue's last allowed delivery dead-letters it itself with the last error as reason.

Both sides are observed: the publisher injects the W3C ``traceparent`` of a producer span
into the message headers and the inbox continues that trace in a consumer span
(:mod:`samleng.common.telemetry`); both count into the broker's
:class:`~samleng.common.metrics.ServiceMetrics` (:mod:`samleng.common.metrics`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aio_pika
from aiormq.exceptions import DeliveryError, PublishError
from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitMessage

from samleng.common import metrics as service_metrics
from samleng.common import telemetry
from samleng.common.events import Event, InvalidEvent, parse_event
from samleng.common.handling import Dispatch, HandlerTable, PoisonMessage
from samleng.common.health import DependencyHealth, DependencyUnavailable, transient_dependency
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
    "PoisonMessage",
    "PublishFailed",
    "TopologyDrift",
    "dead_letter",
    "make_broker",
    "subscribe_inbox",
    "subscribe_table",
]

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 5.0
#: Longest wait between two tries of a message held while a dependency is down.
MAX_HOLD_SECONDS = 10.0


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
    """A RabbitBroker with confirms, raising returns, heartbeats, bounded prefetch and
    graceful stop."""
    return RabbitBroker(
        with_heartbeat(settings.amqp_url.get_secret_value(), settings.amqp_heartbeat_seconds),
        default_channel=Channel(
            prefetch_count=settings.prefetch_count,
            publisher_confirms=True,
            on_return_raises=True,
        ),
        graceful_timeout=settings.shutdown_timeout_seconds,
        app_id=f"samleng-{settings.service_name}",
        logger=logging.getLogger(f"samleng.{settings.service_name}.broker"),
        # FastStream's "Received"/"Processed" line for every message, at DEBUG: two JSON
        # lines per event cost more than many handlers; metrics count every message, and
        # the inbox logs every failure, dead-lettering and hold at WARNING or above
        log_level=logging.DEBUG,
        fail_fast=True,
        # no dependency injection per message: the inbox takes the raw body and reads the
        # message from the context itself (FastDepends resolved it in a thread each time)
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
    broker: RabbitBroker, consumer: ConsumerQueue, message: RabbitMessage, reason: str
) -> None:
    """Send a message to the consumer's dead-letter queue with the reason in a header."""
    raw = message.raw_message
    headers = dict(raw.headers or {})
    headers[REASON_HEADER] = reason[:1000]
    headers[SOURCE_QUEUE_HEADER] = consumer.name
    headers[ORIGINAL_ROUTING_KEY_HEADER] = raw.routing_key or ""
    await _confirmed_publish(
        broker,
        message.body,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=consumer.name,
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        headers=headers,
    )


async def _raw_body(message: RabbitMessage) -> bytes:
    """FastStream's decoder hook: hand over the body undecoded (the inbox validates it)."""
    return message.body


def subscribe_table(
    broker: RabbitBroker,
    table: HandlerTable[Any],
    ports: Any,
    *,
    health: DependencyHealth | None = None,
) -> None:
    """Register a service's one subscriber: its queue, driven by its handler table.

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
    subscribe_inbox(broker, declared, table.bind(ports), health=health)


def subscribe_inbox(
    broker: RabbitBroker,
    consumer: ConsumerQueue,
    dispatch: Dispatch,
    *,
    health: DependencyHealth | None = None,
) -> None:
    """Register a subscriber of ``consumer`` that hands each event to ``dispatch``."""
    health = health or DependencyHealth()
    lanes = CaseLanes()

    @broker.subscriber(
        consumer.rabbit_queue(),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_raw_body,
        title=f"{consumer.name}:consume",
        description=f"Consumes {', '.join(consumer.bindings)}",
    )
    async def on_message(body: bytes) -> None:
        message: RabbitMessage = broker.context.get_local("message")
        metrics = service_metrics.of(broker)
        raw = message.raw_message
        event_type, outcome = "invalid", "retried"
        started = time.perf_counter()
        with telemetry.span(
            metrics.service,
            f"{consumer.name} process",
            kind=telemetry.SpanKind.CONSUMER,
            parent=telemetry.extract(raw.headers),
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": consumer.name,
                "messaging.rabbitmq.destination.routing_key": raw.routing_key or "",
                "messaging.message.id": raw.message_id or "",
            },
        ) as current:
            try:
                event = parse_event(body)
                event_type = event.type
                if current is not None:
                    current.set_attribute("samleng.complaint_id", event.complaint_id)
                async with lanes.of(event.complaint_id):
                    await _hold_while_unavailable(dispatch, event, consumer, health)
                outcome = "handled"
            except (InvalidEvent, PoisonMessage) as exc:
                log.warning(
                    "dead-lettering message",
                    extra={"queue": consumer.name, "reason": str(exc)},
                )
                await dead_letter(broker, consumer, message, str(exc))
                outcome = "dead_lettered"
            except Exception as exc:
                attempt = _delivery_count(message) + 1
                if attempt >= consumer.delivery_limit:
                    reason = f"failed {attempt} deliveries; last error {type(exc).__name__}: {exc}"
                    log.error(
                        "dead-lettering a message that keeps failing",
                        extra={"queue": consumer.name, "attempt": attempt},
                    )
                    await dead_letter(broker, consumer, message, reason)
                    outcome = "dead_lettered"
                    return
                log.exception(
                    "handler failed; message will be redelivered",
                    extra={"queue": consumer.name, "attempt": attempt},
                )
                await asyncio.sleep(min(MAX_BACKOFF_SECONDS, 0.2 * 2**attempt))
                # basic.reject with requeue: every RabbitMQ version counts it as a failed
                # delivery (4.3+ no longer counts basic.nack), so the limit always applies
                await message.reject(requeue=True)
            finally:
                _count_consumed(metrics, consumer, event_type, outcome, started)


class CaseLanes:
    """One lane per complaint: its events are handled one at a time, in delivery order.

    The broker hands a consumer up to ``prefetch_count`` messages at once and each runs in
    its own task, so events of different complaints are handled side by side. Events of
    one complaint queue on that complaint's lock, which asyncio grants in the order the
    tasks asked for it: the order the queue delivered them.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def of(self, complaint_id: str) -> AsyncIterator[None]:
        """Hold the complaint's lane while the body runs."""
        lock = self._locks.setdefault(complaint_id, asyncio.Lock())
        self._waiting[complaint_id] = self._waiting.get(complaint_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[complaint_id] -= 1
            if not self._waiting[complaint_id]:
                del self._waiting[complaint_id], self._locks[complaint_id]

    def __len__(self) -> int:
        return len(self._locks)


async def _hold_while_unavailable(
    dispatch: Dispatch, event: Event, consumer: ConsumerQueue, health: DependencyHealth
) -> None:
    """Dispatch; while a dependency is down, wait and try again (no delivery is used up)."""
    delay = 0.2
    held_for: set[str] = set()
    while True:
        try:
            await dispatch(event)
        except Exception as exc:
            dependency = transient_dependency(exc)
            if dependency is None:
                raise
            if dependency not in held_for:
                log.warning(
                    "dependency unavailable; holding the message until it answers",
                    extra={"queue": consumer.name, "dependency": dependency},
                )
            held_for.add(dependency)
            health.down(dependency, f"{type(exc).__name__} while handling {event.type}")
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 (jitter)
            delay = min(MAX_HOLD_SECONDS, delay * 2)
            continue
        for dependency in held_for:
            health.up(dependency)
        return


def _count_consumed(
    metrics: service_metrics.ServiceMetrics,
    consumer: ConsumerQueue,
    event_type: str,
    outcome: str,
    started: float,
) -> None:
    with telemetry.guarded("metrics-consume"):
        elapsed = time.perf_counter() - started
        metrics.handler_duration.labels(queue=consumer.name, event_type=event_type).observe(elapsed)
        metrics.events_consumed.labels(
            queue=consumer.name, event_type=event_type, outcome=outcome
        ).inc()
        if outcome == "dead_lettered":
            metrics.events_dead_lettered.labels(queue=consumer.name).inc()


def _delivery_count(message: RabbitMessage) -> int:
    headers = message.raw_message.headers or {}
    count = headers.get("x-delivery-count", 0)
    return count if isinstance(count, int) else 0
