"""FastStream broker factory, the event publisher and the event inbox (consumer side).

Publishing is never silent: publisher confirms are on, messages are persistent and
mandatory, and a returned (unroutable) or nacked message raises :class:`PublishFailed`.

Consuming goes through :func:`subscribe_inbox`, which decodes and validates each message,
hands the event to the service's ``dispatch`` coroutine and

- acks after ``dispatch`` returns (the service wrote what it had to, durably);
- dead-letters, with the reason in a header, a message that is not a valid event or that
  ``dispatch`` refuses with :class:`PoisonMessage`, then acks it: poison never loops;
- nacks (requeue) on any other error after a short back-off; the quorum queue's delivery
  limit then dead-letters a message that never succeeds.

Both sides are observed: the publisher injects the W3C ``traceparent`` of a producer span
into the message headers and the inbox continues that trace in a consumer span
(:mod:`samleng.common.telemetry`); both count into the broker's
:class:`~samleng.common.metrics.ServiceMetrics` (:mod:`samleng.common.metrics`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiormq.exceptions import DeliveryError
from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitMessage

from samleng.common import metrics as service_metrics
from samleng.common import telemetry
from samleng.common.events import Event, InvalidEvent, parse_event
from samleng.common.settings import ServiceSettings
from samleng.common.topology import (
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    SOURCE_QUEUE_HEADER,
    ConsumerQueue,
)

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 5.0


class PublishFailed(RuntimeError):
    """The broker did not take responsibility for a message (returned, nacked, timed out)."""


class PoisonMessage(Exception):
    """Raised by a dispatcher for a message that can never be handled; goes to the DLQ."""


def make_broker(settings: ServiceSettings) -> RabbitBroker:
    """A RabbitBroker with confirms, raising returns, bounded prefetch and graceful stop."""
    return RabbitBroker(
        settings.amqp_url.get_secret_value(),
        default_channel=Channel(
            prefetch_count=settings.prefetch_count,
            publisher_confirms=True,
            on_return_raises=True,
        ),
        graceful_timeout=settings.shutdown_timeout_seconds,
        app_id=f"samleng-{settings.service_name}",
        logger=logging.getLogger(f"samleng.{settings.service_name}.broker"),
        fail_fast=True,
    )


class EventPublisher:
    """Publishes events to the topic exchange and waits for the broker's confirm."""

    def __init__(
        self, broker: RabbitBroker, metrics: service_metrics.ServiceMetrics | None = None
    ) -> None:
        self._broker = broker
        self._metrics = metrics or service_metrics.of(broker)

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
            await _confirmed_publish(
                self._broker,
                event.to_json_bytes(),
                exchange=EVENTS_EXCHANGE.name,
                routing_key=event.routing_key,
                message_id=str(event.event_id),
                correlation_id=event.correlation_id,
                message_type=event.type,
                headers=outgoing or None,
            )
        self._count_published(event)

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
        exchange=DEAD_LETTER_EXCHANGE.name,
        routing_key=consumer.name,
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        headers=headers,
    )


Dispatch = Callable[[Event], Awaitable[None]]


def subscribe_inbox(broker: RabbitBroker, consumer: ConsumerQueue, dispatch: Dispatch) -> None:
    """Register the one subscriber of a service's queue (see the module docstring)."""

    @broker.subscriber(
        consumer.rabbit_queue(),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{consumer.name}:consume",
        description=f"Consumes {', '.join(consumer.bindings)}",
    )
    async def on_message(message: RabbitMessage) -> None:
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
                event = parse_event(message.body)
                event_type = event.type
                if current is not None:
                    current.set_attribute("samleng.complaint_id", event.complaint_id)
                await dispatch(event)
                outcome = "handled"
            except (InvalidEvent, PoisonMessage) as exc:
                log.warning(
                    "dead-lettering message",
                    extra={"queue": consumer.name, "reason": str(exc)},
                )
                await dead_letter(broker, consumer, message, str(exc))
                outcome = "dead_lettered"
            except Exception:
                attempt = _delivery_count(message)
                log.exception(
                    "handler failed; message will be redelivered",
                    extra={"queue": consumer.name, "attempt": attempt},
                )
                await asyncio.sleep(min(MAX_BACKOFF_SECONDS, 0.2 * 2**attempt))
                raise
            finally:
                _count_consumed(metrics, consumer, event_type, outcome, started)


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
