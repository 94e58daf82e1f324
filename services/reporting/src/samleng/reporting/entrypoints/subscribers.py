"""Reporting's inbox: every complaint event, driven by the handler table."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_table
from samleng.common.health import DependencyHealth
from samleng.reporting.handlers import HANDLERS, StatisticsPorts


def subscribe(broker: RabbitBroker, ports: StatisticsPorts, health: DependencyHealth) -> None:
    """Register reporting's one subscriber."""
    subscribe_table(broker, HANDLERS, ports, health=health)
