"""Routing's inbox: new submissions in, assignments out (stored, then published)."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from samleng.common.broker import EventPublisher, subscribe_inbox
from samleng.common.events import ComplaintSubmitted, Event
from samleng.common.topology import CONSUMERS
from samleng.routing.adapters.assignments import AssignmentRepository
from samleng.routing.domain.model import Directory
from samleng.routing.handlers import on_submitted


def subscribe(
    broker: RabbitBroker,
    publisher: EventPublisher,
    assignments: AssignmentRepository,
    directory: Directory,
) -> None:
    """Register routing's one subscriber."""

    async def dispatch(event: Event) -> None:
        if isinstance(event, ComplaintSubmitted):
            decided = on_submitted(event, directory)
            kept = await assignments.record(decided)
            await publisher.publish(kept)

    subscribe_inbox(broker, CONSUMERS["routing"], dispatch)
