"""The inbox: one service's queue consumed on aio-pika directly, event by event.

:func:`samleng.common.broker.subscribe_table` builds one for a service's handler table and
``ServiceRuntime`` starts and stops it. It consumes on a robust channel of the broker's
connection, without FastStream's per-message layers (middlewares, context scopes,
decoders: they cost more than most handlers). The inbox reads the raw body itself (so bad
JSON takes the poison path too), validates the event, hands it to the handler (events of
one complaint one at a time, in delivery order; different complaints side by side, up to
the prefetch count) and

- acks after the handler returns (the service wrote what it had to, durably);
- dead-letters, with the reason in a header, a message that is not a valid event or that
  the handler refuses with :class:`~samleng.common.handling.PoisonMessage`, then acks it:
  poison never loops;
- holds a message whose handler failed because a dependency is down (MongoDB, the
  broker; see :func:`samleng.common.health.transient_dependency`): it is retried in place,
  with back-off, until the dependency answers, and meanwhile ``/readyz`` reports the
  dependency down. Holding uses up no delivery attempt: the message is not at fault;
- returns the message to the queue (``basic.reject`` with requeue, which every RabbitMQ
  version counts as a failed delivery) on any other error after a short back-off, and on
  the queue's last allowed delivery dead-letters it itself with the last error as reason;
- continues the producer's trace (``traceparent``) in a consumer span and counts every
  message (``events_consumed``, ``handler_duration``, ``events_dead_lettered``);
- on stop, stops consuming, lets handlers in flight finish within the shutdown timeout,
  then closes its channel. After a broker restart aio-pika reopens the channel with its
  prefetch, declares the queue again and brings the consumer back.

Acks are written without waiting for the frame to reach the socket: a lost ack only
means the broker hands the message out again, and every consumer is idempotent. Acks of
one moment are coalesced (:class:`AckWindow`): one ``basic.ack`` with ``multiple`` settles
every message up to it once all of them are handled, so a group commit's worth of
messages costs the broker one settlement, not one each::

    inbox = Inbox(consumer, dispatch, connect=broker.connect,
                  dead_letter=functools.partial(dead_letter, broker), metrics=metrics,
                  health=DependencyHealth())
    await inbox.start(prefetch_count=64)
    ...
    await inbox.stop(timeout=10.0)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aio_pika
import aiormq.abc

from samleng.common import telemetry
from samleng.common.events import Event, InvalidEvent, parse_event
from samleng.common.handling import Dispatch, PoisonMessage
from samleng.common.health import DependencyHealth, transient_dependency
from samleng.common.metrics import ServiceMetrics
from samleng.common.topology import ConsumerQueue

__all__ = ["AckWindow", "CaseLanes", "Inbox"]

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0
#: Longest wait between two tries of a message held while a dependency is down.
MAX_HOLD_SECONDS = 10.0
#: How long a stopping inbox waits for the broker to confirm it stopped consuming.
CANCEL_TIMEOUT_SECONDS = 5.0
#: How long an inbox waits for its channel to close.
CLOSE_TIMEOUT_SECONDS = 5.0
#: How long each try of opening the inbox may wait for the broker, and how many tries.
OPEN_TIMEOUT_SECONDS = 15.0
OPEN_ATTEMPTS = 3

Message = aio_pika.abc.AbstractIncomingMessage
#: Opens (or returns) the service's robust connection.
Connect = Callable[[], Awaitable[aio_pika.abc.AbstractRobustConnection]]
#: ``dead_letter(consumer, message, reason)``: publish to the DLQ, confirmed, or raise.
DeadLetter = Callable[[ConsumerQueue, Message, str], Awaitable[None]]


class Inbox:
    """One queue consumed on a robust aio-pika channel (see the module docstring)."""

    def __init__(
        self,
        consumer: ConsumerQueue,
        dispatch: Dispatch,
        *,
        connect: Connect,
        dead_letter: DeadLetter,
        metrics: ServiceMetrics,
        health: DependencyHealth,
    ) -> None:
        self.consumer = consumer
        self._dispatch = dispatch
        self._connect = connect
        self._dead_letter = dead_letter
        self._health = health
        self._lanes = CaseLanes()
        self._counters = _ConsumeCounters(metrics, consumer.name)
        self._span_name = f"{consumer.name} process"
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._queue: aio_pika.abc.AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._running: set[asyncio.Task[Any]] = set()
        #: one window per channel the messages came on (a reconnect opens a new one)
        self._windows: weakref.WeakKeyDictionary[aiormq.abc.AbstractChannel, AckWindow] = (
            weakref.WeakKeyDictionary()
        )

    async def start(self, *, prefetch_count: int) -> None:
        """Open the inbox's channel on the broker's connection and start consuming.

        Each step waits for the broker's answer at most ``OPEN_TIMEOUT_SECONDS``; a try
        that gets none is abandoned (its channel closed) and made again, so a lost answer
        never leaves a service starting for ever.
        """
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                await asyncio.wait_for(self._open(prefetch_count), OPEN_TIMEOUT_SECONDS)
            except TimeoutError:
                channel, self._channel, self._queue = self._channel, None, None
                if channel is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(channel.close(), CLOSE_TIMEOUT_SECONDS)
                if attempt == OPEN_ATTEMPTS:
                    raise
                log.warning(
                    "the broker did not answer while the inbox opened; trying again",
                    extra={"queue": self.consumer.name, "attempt": attempt},
                )
            else:
                return

    async def _open(self, prefetch_count: int) -> None:
        connection = await self._connect()
        channel = await connection.channel(publisher_confirms=False)
        self._channel = channel
        await channel.set_qos(prefetch_count=prefetch_count)
        declared = self.consumer.rabbit_queue()
        queue = await channel.declare_queue(
            declared.name, durable=True, arguments=declared.arguments
        )
        self._queue = queue
        self._consumer_tag = await queue.consume(self._on_message)

    def is_consuming(self) -> bool:
        """Whether the inbox's consumer is registered on an open channel."""
        channel = self._channel
        return self._consumer_tag is not None and channel is not None and not channel.is_closed

    async def stop(self, *, timeout: float) -> None:
        """Stop consuming, let handlers in flight finish within ``timeout``, then close.

        A handler still running after ``timeout`` is cancelled; its message is not acked,
        so the broker hands it out again (consumers are idempotent).
        """
        queue, tag, channel = self._queue, self._consumer_tag, self._channel
        self._consumer_tag = None
        if queue is not None and tag is not None:
            with contextlib.suppress(Exception):  # a broker that is down has no consumer
                await asyncio.wait_for(queue.cancel(tag), timeout=CANCEL_TIMEOUT_SECONDS)
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=timeout)
            for task in late:
                task.cancel()
            if late:
                log.warning(
                    "handlers still running at shutdown were cancelled",
                    extra={"queue": self.consumer.name, "count": len(late)},
                )
                await asyncio.gather(*late, return_exceptions=True)
        for window in list(self._windows.values()):
            await window.flushed()
        self._channel = self._queue = None
        if channel is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(channel.close(), CLOSE_TIMEOUT_SECONDS)

    async def _on_message(self, message: Message) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            settle = await self._consume(message)
        except Exception:
            # dead-lettering failed (the broker refused or timed out): return the message
            log.exception(
                "could not dead-letter a message; returning it to the queue",
                extra={"queue": self.consumer.name},
            )
            settle = _nack
        finally:
            if task is not None:
                self._running.discard(task)
        await self._settle(message, settle)

    async def _settle(self, message: Message, settle: Settle) -> None:
        """Settle on the channel the message came on: an ack through its window, a
        return at once. If the channel closed (a reconnect), the broker has already
        returned the message to the queue and there is nothing left to settle."""
        try:
            tag = message.delivery_tag
            if tag is None:
                return
            channel = message.channel
            window = self._windows.get(channel)
            if window is None:
                window = self._windows[channel] = AckWindow(channel)
            if settle is _ack:
                window.handled(tag)
            else:
                await settle(channel, tag)
                window.returned(tag)  # only once sent: no ack may cover it before
        except Exception as exc:
            log.warning(
                "could not settle a message; the broker will deliver it again",
                extra={"settle": settle.__name__.strip("_"), "error": type(exc).__name__},
            )

    async def _consume(self, message: Message) -> Settle:
        """Handle one message; return how to settle it."""
        consumer = self.consumer
        event_type, outcome = "invalid", "retried"
        started = time.perf_counter()
        headers = message.headers
        with telemetry.span(
            self._counters.metrics.service,
            self._span_name,
            kind=telemetry.SpanKind.CONSUMER,
            parent=telemetry.extract(headers),
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": consumer.name,
                "messaging.rabbitmq.destination.routing_key": message.routing_key or "",
                "messaging.message.id": message.message_id or "",
            },
        ) as current:
            try:
                event = parse_event(message.body)
                event_type = event.type
                if current is not None:
                    current.set_attribute("samleng.complaint_id", event.complaint_id)
                async with self._lanes.of(event.complaint_id):
                    await _hold_while_unavailable(self._dispatch, event, consumer, self._health)
                outcome = "handled"
                return _ack
            except (InvalidEvent, PoisonMessage) as exc:
                log.warning(
                    "dead-lettering message",
                    extra={"queue": consumer.name, "reason": str(exc)},
                )
                await self._dead_letter(consumer, message, str(exc))
                outcome = "dead_lettered"
                return _ack
            except Exception as exc:
                attempt = _delivery_count(headers) + 1
                if attempt >= consumer.delivery_limit:
                    reason = f"failed {attempt} deliveries; last error {type(exc).__name__}: {exc}"
                    log.error(
                        "dead-lettering a message that keeps failing",
                        extra={"queue": consumer.name, "attempt": attempt},
                    )
                    await self._dead_letter(consumer, message, reason)
                    outcome = "dead_lettered"
                    return _ack
                log.exception(
                    "handler failed; message will be redelivered",
                    extra={"queue": consumer.name, "attempt": attempt},
                )
                await asyncio.sleep(min(MAX_BACKOFF_SECONDS, 0.2 * 2**attempt))
                # basic.reject with requeue: every RabbitMQ version counts it as a failed
                # delivery (4.3+ no longer counts basic.nack), so the limit always applies
                return _reject
            finally:
                self._counters.count(event_type, outcome, started)


#: How an inbox settles a message: ``settle(channel, delivery_tag)``.
Settle = Callable[[aiormq.abc.AbstractChannel, int], Awaitable[None]]


def _ack(channel: aiormq.abc.AbstractChannel, tag: int) -> Awaitable[None]:
    """An ack goes through the channel's :class:`AckWindow` (``Inbox._settle``); this is
    the marker ``_consume`` returns for it, and acks alone if ever called."""
    return channel.basic_ack(tag, wait=False)


def _reject(channel: aiormq.abc.AbstractChannel, tag: int) -> Awaitable[None]:
    return channel.basic_reject(tag, requeue=True, wait=False)


def _nack(channel: aiormq.abc.AbstractChannel, tag: int) -> Awaitable[None]:
    return channel.basic_nack(tag, requeue=True, wait=False)


class AckWindow:
    """The acks of one channel, coalesced.

    Delivery tags on a channel that only consumes are consecutive (1, 2, 3, ...). A
    handled message is acked on the next turn of the event loop, together with the others
    handled by then: the longest run of settled tags above the last one acked goes in one
    ``basic.ack(multiple=True)``, so it never covers a message still being handled. A
    handled message behind one still running (a slow handler, a held message) is acked
    alone at once, so it does not use up the prefetch while it waits. Returned messages
    (``basic.reject``/``nack``) are sent alone, by the caller, and only counted here.
    """

    def __init__(self, channel: aiormq.abc.AbstractChannel) -> None:
        self._channel = channel
        self._acked_up_to = 0  # every tag up to this one is settled
        self._settled: set[int] = set()  # above it: acked alone or returned
        self._handled: set[int] = set()  # above it: waiting for this turn's ack
        self._flushing: asyncio.Task[None] | None = None

    def handled(self, tag: int) -> None:
        """The message's handler is done: ack it (soon, with the others of the moment)."""
        self._handled.add(tag)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_soon())

    def returned(self, tag: int) -> None:
        """The message was returned to the queue (by the caller, at once)."""
        self._settled.add(tag)

    async def flushed(self) -> None:
        """Wait until the acks of the moment are written."""
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)

    async def _flush_soon(self) -> None:
        while self._handled:  # those handled while a flush was being written go next
            await asyncio.sleep(0)  # the other handlers of this moment finish first
            await self._flush()

    async def _flush(self) -> None:
        run_end = self._acked_up_to
        while run_end + 1 in self._handled or run_end + 1 in self._settled:
            run_end += 1
        in_run = {tag for tag in self._handled if tag <= run_end}
        alone = sorted(self._handled - in_run)
        self._handled.clear()
        self._settled = {tag for tag in self._settled if tag > run_end} | set(alone)
        self._acked_up_to = run_end
        if in_run:
            await self._channel.basic_ack(max(in_run), multiple=len(in_run) > 1, wait=False)
        for tag in alone:
            await self._channel.basic_ack(tag, wait=False)


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


class _ConsumeCounters:
    """The inbox's metric children per (event type, outcome), looked up once each."""

    def __init__(self, metrics: ServiceMetrics, queue: str) -> None:
        self.metrics = metrics
        self._queue = queue
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}

    def count(self, event_type: str, outcome: str, started: float) -> None:
        """Count one message taken from the queue, and the time its handling took."""
        with telemetry.guarded("metrics-consume"):
            elapsed = time.perf_counter() - started
            children = self._children.get((event_type, outcome))
            if children is None:
                m, queue = self.metrics, self._queue
                children = (
                    m.handler_duration.labels(queue=queue, event_type=event_type),
                    m.events_consumed.labels(queue=queue, event_type=event_type, outcome=outcome),
                )
                self._children[(event_type, outcome)] = children
            children[0].observe(elapsed)
            children[1].inc()
            if outcome == "dead_lettered":
                self.metrics.events_dead_lettered.labels(queue=self._queue).inc()


def _delivery_count(headers: Mapping[str, Any] | None) -> int:
    count = (headers or {}).get("x-delivery-count", 0)
    return count if isinstance(count, int) else 0
