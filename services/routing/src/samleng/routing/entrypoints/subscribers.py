"""Routing's inbox: one queue, driven by the handler table (:mod:`samleng.routing.handlers`)."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_table
from samleng.common.health import DependencyHealth
from samleng.routing.handlers import HANDLERS
from samleng.routing.ports import RoutingPorts


def subscribe(broker: RabbitBroker, ports: RoutingPorts, health: DependencyHealth) -> None:
    """Register routing's one subscriber."""
    subscribe_table(broker, HANDLERS, ports, health=health)
