"""The inbox on the real broker: a dependency outage holds a message without using up its
deliveries, bad JSON takes the poison path, a message that keeps failing is dead-lettered
by the inbox with its last error as the reason, a stop lets the handler in flight finish
(and acks it) but takes nothing more, and the consumer comes back after its connection
was closed under it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_inbox
from samleng.common.events import Event
from samleng.common.health import DependencyHealth, DependencyUnavailable
from samleng.common.topology import DEAD_LETTER_EXCHANGE, REASON_HEADER, ConsumerQueue
from samleng.devstack import infra
from tests.support import EventFactory, eventually, take_from_queue

pytestmark = pytest.mark.integration


async def _declare(broker: RabbitBroker, consumer: ConsumerQueue) -> None:
    dead_letters = await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
    await broker.declare_queue(consumer.rabbit_queue())
    dlq = await broker.declare_queue(consumer.dead_letter_queue())
    await dlq.bind(dead_letters, routing_key=consumer.name)


async def _send(channel: Any, queue: str, body: bytes, message_id: str) -> None:
    message = aio_pika.Message(
        body,
        message_id=message_id,
        content_type="application/json",  # a decoding consumer would json-decode this body
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await channel.default_exchange.publish(message, routing_key=queue, mandatory=True)


def _when(condition: Any) -> Any:
    """An async probe for ``eventually`` from a plain condition."""

    async def probe() -> bool:
        return bool(condition())

    return probe


class _Inbox:
    """A bare broker with one inbox on a queue of the test's own."""

    def __init__(
        self, stack: Any, dispatch: Any, *, delivery_limit: int = 20, url: str | None = None
    ) -> None:
        self.consumer = ConsumerQueue(f"inbox-test-{uuid.uuid4().hex[:8]}", (), delivery_limit)
        self.health = DependencyHealth()
        self.broker = RabbitBroker(url or stack.amqp_url)
        self.inbox = subscribe_inbox(self.broker, self.consumer, dispatch, health=self.health)

    async def __aenter__(self) -> _Inbox:
        await self.broker.connect()
        await _declare(self.broker, self.consumer)
        await self.broker.start()
        await self.inbox.start(prefetch_count=16)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.inbox.stop(timeout=5.0)
        await self.broker.stop()


async def test_a_message_waits_out_a_dependency_outage_without_using_deliveries(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    attempts: list[Event] = []
    outage = asyncio.Event()

    async def dispatch(event: Event) -> None:
        attempts.append(event)
        if not outage.is_set():
            raise DependencyUnavailable("mongodb", "server selection timed out")

    async with _Inbox(stack, dispatch, delivery_limit=2) as inbox:
        event = events.submitted()
        await _send(amqp, inbox.consumer.name, event.to_json_bytes(), str(event.event_id))
        # far more tries than the delivery limit allows: none of them counts
        await eventually(_when(lambda: len(attempts) >= 4), timeout=20)
        assert inbox.health.snapshot() == {"mongodb": False}
        outage.set()
        await eventually(_when(lambda: inbox.health.snapshot() == {}), timeout=20)
    assert {a.event_id for a in attempts} == {event.event_id}
    queue = await amqp.get_queue(inbox.consumer.dead_letter_queue_name, ensure=True)
    assert await queue.get(fail=False) is None  # nothing dead-lettered
    source = await amqp.get_queue(inbox.consumer.name, ensure=True)
    assert await source.get(fail=False) is None  # and nothing left: it was acked


async def test_bad_json_with_a_json_content_type_is_dead_lettered_with_its_reason(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    handled: list[Event] = []

    async def dispatch(event: Event) -> None:
        handled.append(event)

    async with _Inbox(stack, dispatch) as inbox:
        await _send(amqp, inbox.consumer.name, b"{not json", "bad-json")
        dead = await take_from_queue(amqp, inbox.consumer.dead_letter_queue_name, "bad-json")
        assert "not UTF-8 JSON" in str(dead.headers[REASON_HEADER])
        assert (dead.headers or {}).get("x-delivery-count", 0) == 0  # first delivery, no loop
        ok = events.submitted()
        await _send(amqp, inbox.consumer.name, ok.to_json_bytes(), str(ok.event_id))
        await eventually(_when(lambda: len(handled) == 1), timeout=20)


async def test_a_message_that_keeps_failing_is_dead_lettered_with_the_last_error(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    async def dispatch(event: Event) -> None:
        raise KeyError("a bug, not an outage")

    async with _Inbox(stack, dispatch, delivery_limit=3) as inbox:
        event = events.submitted()
        await _send(amqp, inbox.consumer.name, event.to_json_bytes(), str(event.event_id))
        dead = await take_from_queue(
            amqp, inbox.consumer.dead_letter_queue_name, str(event.event_id)
        )
    reason = str(dead.headers[REASON_HEADER])
    assert "failed 3 deliveries" in reason
    assert "KeyError" in reason


async def test_events_of_one_complaint_are_handled_in_order_and_complaints_side_by_side(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    handled: list[tuple[str, int]] = []
    running_now = 0
    most_at_once = 0

    async def dispatch(event: Event) -> None:
        nonlocal running_now, most_at_once
        running_now += 1
        most_at_once = max(most_at_once, running_now)
        await asyncio.sleep(0.02 if event.sequence % 2 else 0.001)  # uneven work
        handled.append((event.complaint_id, event.sequence))
        running_now -= 1

    histories: list[list[Event]] = []
    for _ in range(4):
        history: list[Event] = [events.submitted()]
        for _ in range(5):
            history.append(events.assigned(history[-1]))
        histories.append(history)
    async with _Inbox(stack, dispatch) as inbox:
        for step in range(6):  # interleaved: complaint by complaint, step by step
            for history in histories:
                event = history[step]
                await _send(amqp, inbox.consumer.name, event.to_json_bytes(), str(event.event_id))
        await eventually(_when(lambda: len(handled) == 24), timeout=20)
    # uneven handlers finish out of order: acks go in runs and alone, and every one reached
    # the broker (an unacked message would be back in the queue once the inbox stopped)
    source = await amqp.get_queue(inbox.consumer.name, ensure=True)
    assert await source.get(fail=False) is None
    assert len(handled) == 24  # none handed out twice
    for history in histories:
        mine = [seq for cid, seq in handled if cid == history[0].complaint_id]
        assert mine == [e.sequence for e in history]
    assert most_at_once > 1  # different complaints did not wait for each other


async def test_a_stop_lets_the_handler_in_flight_finish_and_takes_nothing_more(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    handled: list[Event] = []

    async def dispatch(event: Event) -> None:
        started.set()
        await release.wait()
        handled.append(event)

    async with _Inbox(stack, dispatch) as inbox:
        first = events.submitted()
        await _send(amqp, inbox.consumer.name, first.to_json_bytes(), str(first.event_id))
        await asyncio.wait_for(started.wait(), timeout=20)
        stopping = asyncio.create_task(inbox.inbox.stop(timeout=30.0))
        await eventually(_when(lambda: not inbox.inbox.is_consuming()), timeout=20)
        later = events.submitted()
        await _send(amqp, inbox.consumer.name, later.to_json_bytes(), str(later.event_id))
        release.set()
        await stopping
    assert [e.event_id for e in handled] == [first.event_id]
    source = await amqp.get_queue(inbox.consumer.name, ensure=True)
    left = await source.get(fail=False, no_ack=True)  # the first was acked before the close
    assert left is not None
    assert left.message_id == str(later.event_id)
    assert await source.get(fail=False) is None


async def test_a_handler_that_outlives_the_stop_is_cancelled_and_its_message_kept(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    started = asyncio.Event()

    async def dispatch(event: Event) -> None:
        started.set()
        await asyncio.Event().wait()  # never returns

    async with _Inbox(stack, dispatch) as inbox:
        event = events.submitted()
        await _send(amqp, inbox.consumer.name, event.to_json_bytes(), str(event.event_id))
        await asyncio.wait_for(started.wait(), timeout=20)
        await inbox.inbox.stop(timeout=0.1)
    source = await amqp.get_queue(inbox.consumer.name, ensure=True)
    kept = await source.get(fail=False, no_ack=True)  # not acked: back in the queue
    assert kept is not None
    assert kept.message_id == str(event.event_id)


async def test_the_consumer_comes_back_after_its_connection_is_closed(
    stack: Any, events: EventFactory, fresh_vhost: Any
) -> None:
    url = fresh_vhost()
    vhost = unquote(urlsplit(url).path[1:])
    handled: list[Event] = []

    async def dispatch(event: Event) -> None:
        handled.append(event)

    async def sent(channel: Any, queue: str, event: Event) -> bool:
        try:
            await _send(channel, queue, event.to_json_bytes(), str(event.event_id))
        except Exception:  # the test's own connection is coming back too
            return False
        return True

    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        async with _Inbox(stack, dispatch, url=url) as inbox:
            before = events.submitted()
            await _send(channel, inbox.consumer.name, before.to_json_bytes(), str(before.event_id))
            await eventually(_when(lambda: len(handled) == 1), timeout=20)

            reconnected = asyncio.Event()
            (await inbox.broker.connect()).reconnect_callbacks.add(lambda *_: reconnected.set())
            await asyncio.to_thread(infra.close_connections, vhost)
            await asyncio.wait_for(reconnected.wait(), timeout=60)
            await eventually(_when(inbox.inbox.is_consuming), timeout=60)

            after = events.submitted()
            await eventually(lambda: sent(channel, inbox.consumer.name, after), timeout=60)
            await eventually(_when(lambda: len(handled) == 2), timeout=60)
    finally:
        await connection.close()
    assert [e.event_id for e in handled] == [before.event_id, after.event_id]
