"""Intake's inbox: routing's decisions about its cases, driven by the handler table."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_table
from samleng.common.health import DependencyHealth
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.handlers import HANDLERS, CaseUpdatePorts


def subscribe(broker: RabbitBroker, cases: CaseRepository, health: DependencyHealth) -> None:
    """Register intake's one subscriber."""
    subscribe_table(broker, HANDLERS, CaseUpdatePorts(cases), health=health)
