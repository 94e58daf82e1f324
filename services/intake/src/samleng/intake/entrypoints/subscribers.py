"""Intake's inbox: events from routing (and later others) that change a case."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import subscribe_inbox
from samleng.common.events import Event
from samleng.common.topology import CONSUMERS
from samleng.intake.adapters.cases import CaseRepository
from samleng.intake.handlers import on_case_event


def subscribe(broker: RabbitBroker, cases: CaseRepository) -> None:
    """Register intake's one subscriber."""

    async def dispatch(event: Event) -> None:
        await on_case_event(event, cases)

    subscribe_inbox(broker, CONSUMERS["intake"], dispatch)
