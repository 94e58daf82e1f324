"""Notification's inbox: events that cause alerts."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_inbox
from samleng.common.events import Event
from samleng.common.topology import CONSUMERS
from samleng.notification.adapters.feed import AlertFeed
from samleng.notification.handlers import on_event


def subscribe(broker: RabbitBroker, feed: AlertFeed) -> None:
    """Register notification's one subscriber."""

    async def dispatch(event: Event) -> None:
        await on_event(event, feed)

    subscribe_inbox(broker, CONSUMERS["notification"], dispatch)
