"""Notification's inbox: events that cause alerts, driven by the handler table."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_table
from samleng.common.health import DependencyHealth
from samleng.notification.entrypoints.workers import Workers
from samleng.notification.handlers import HANDLERS, Alerting, AlertPorts


def subscribe(
    broker: RabbitBroker, alerting: Alerting, workers: Workers, health: DependencyHealth
) -> None:
    """Register notification's one subscriber: plan deliveries, then wake the couriers."""
    subscribe_table(broker, HANDLERS, AlertPorts(alerting, workers.wake), health=health)
