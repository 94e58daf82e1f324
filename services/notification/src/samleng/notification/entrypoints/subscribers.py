"""Notification's inbox: events that cause alerts."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_inbox
from samleng.common.events import Event
from samleng.common.topology import CONSUMERS
from samleng.notification.entrypoints.workers import Workers
from samleng.notification.handlers import Alerting, on_event


def subscribe(broker: RabbitBroker, alerting: Alerting, workers: Workers) -> None:
    """Register notification's one subscriber: plan deliveries, then wake the couriers."""

    async def dispatch(event: Event) -> None:
        if await on_event(event, alerting):
            workers.wake()

    subscribe_inbox(broker, CONSUMERS["notification"], dispatch)
