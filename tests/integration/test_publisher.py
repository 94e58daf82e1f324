"""The event publisher on its own connection: confirmed publishes, and a channel the broker
nacks is replaced so the next try goes through (RabbitMQ 3.10 can nack a channel for good
after a cluster node dies; the fault suite found intake's relay stuck on one)."""

from __future__ import annotations

from typing import Any

import pytest
from aiormq.exceptions import DeliveryError
from faststream.rabbit import RabbitBroker
from pamqp.commands import Basic

from samleng.common.broker import EventPublisher, PublishFailed
from samleng.common.topology import EVENTS_EXCHANGE
from tests.support import EventFactory, next_message, tap

pytestmark = pytest.mark.integration


async def test_a_nacked_channel_is_replaced_and_the_retry_is_confirmed(
    stack: Any, amqp: Any, events: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await amqp.declare_exchange(EVENTS_EXCHANGE.name, "topic", durable=True)
    copies = await tap(amqp, "complaint.submitted.v1")
    broker = RabbitBroker(stack.amqp_url)
    publisher = EventPublisher(broker, amqp_url=stack.amqp_url)
    await publisher.start()
    try:
        first = events.submitted()
        await publisher.publish(first)
        assert (await next_message(copies)).message_id == str(first.event_id)

        stuck = publisher._channel
        exchange = publisher._exchange
        assert exchange is not None

        async def nacked(*args: Any, **kwargs: Any) -> None:
            raise DeliveryError(None, Basic.Nack(delivery_tag=1))

        monkeypatch.setattr(exchange, "publish", nacked)
        second = events.submitted()
        with pytest.raises(PublishFailed, match="nacked"):
            await publisher.publish(second)
        assert publisher._channel is not stuck  # a new channel, not the nacked one
        assert publisher.is_open()

        await publisher.publish(second)  # the outbox relay's retry
        assert (await next_message(copies)).message_id == str(second.event_id)
    finally:
        await publisher.close()
    assert not publisher.is_open()
    with pytest.raises(PublishFailed, match="not started"):
        await publisher.publish(events.submitted())
