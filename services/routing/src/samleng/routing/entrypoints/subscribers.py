"""Routing's inbox: decode -> table -> handler -> store the case and its events -> publish.

Submissions create the case (the first decision wins; a redelivered submission
re-announces the same assignment). Every other event is applied to the stored case
under an optimistic ``version`` check, so two replicas never both act on one case.
A request that can never be carried out (unknown office, closed case, wrong office
asking) goes to the dead-letter queue with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from faststream.rabbit import RabbitBroker

from samleng.common.broker import EventPublisher, PoisonMessage, subscribe_table
from samleng.common.events import ComplaintSubmitted, Event
from samleng.common.health import DependencyHealth
from samleng.routing.adapters.cases import CaseRepository, StoredCase
from samleng.routing.domain.case import CaseClosed
from samleng.routing.domain.rules import MoveRefused
from samleng.routing.handlers import HANDLERS, Context, RoutingPorts, on_case_event, on_submitted

MAX_ATTEMPTS = 10


class CaseNotYetRouted(RuntimeError):
    """An action on a case routing has not seen yet: retried, dead-lettered if it persists."""


def subscribe(
    broker: RabbitBroker,
    publisher: EventPublisher,
    cases: CaseRepository,
    context: Callable[[], Awaitable[Context]],
    health: DependencyHealth,
) -> None:
    """Register routing's one subscriber."""

    async def publish(stored: StoredCase, events: list[Event]) -> None:
        for event in events:
            await publisher.publish(event)
        if events:
            await cases.published(stored.case.complaint_id, events)

    async def on_case_change(event: Event) -> None:
        for _ in range(MAX_ATTEMPTS):
            stored = await cases.get(event.complaint_id)
            if stored is None:
                raise CaseNotYetRouted(f"case {event.complaint_id} is not routed yet")
            if stored.case.has_seen(str(event.event_id)):
                await publish(stored, stored.outbox)  # finish what a crash interrupted
                return
            ctx = await context()
            try:
                emitted = on_case_event(stored.case, event, ctx)
            except (MoveRefused, CaseClosed) as refused:
                raise PoisonMessage(f"{event.type} refused: {refused}") from refused
            if await cases.save(stored, emitted, datetime.now(UTC)):
                await publish(stored, [*stored.outbox, *emitted])
                return
        raise RuntimeError(f"case {event.complaint_id} kept changing; will retry")

    async def on_new_case(event: ComplaintSubmitted) -> None:
        existing = await cases.get(event.complaint_id)
        if existing is None:
            ctx = await context()
            case, assigned = on_submitted(event, ctx)
            existing = await cases.create(case, assigned, datetime.now(UTC))
        # a redelivered submission re-announces the same assignment (same event_id)
        await publisher.publish(existing.assigned)
        await publish(
            existing, [e for e in existing.outbox if e.event_id != existing.assigned.event_id]
        )
        await cases.published(existing.case.complaint_id, [existing.assigned])

    subscribe_table(broker, HANDLERS, RoutingPorts(on_new_case, on_case_change), health=health)
