"""Notification's inbox: events that cause alerts, driven by the handler table."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_table
from samleng.common.health import DependencyHealth
from samleng.notification.handlers import HANDLERS
from samleng.notification.ports import NotificationPorts


def subscribe(broker: RabbitBroker, ports: NotificationPorts, health: DependencyHealth) -> None:
    """Register notification's one subscriber: plan deliveries, then wake the couriers."""
    subscribe_table(broker, HANDLERS, ports, health=health)
