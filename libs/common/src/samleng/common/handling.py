"""Handler tables: what a service consumes, declared once, and everything derived from it.

Each consuming service declares one table in its ``handlers.py``::

    HANDLERS = HandlerTable(
        service="routing",
        queue="routing.case-events",
        handlers={ComplaintSubmitted: on_submitted, ComplaintResolved: on_moved, ...},
    )

A handler is ``async def handler(event, ports) -> None``: ``ports`` is the service's own
dataclass of adapters (the real ones from ``bootstrap()``, fakes in unit tests). From the
table come:

- ``table.bind(ports)``: the ``dispatch`` coroutine the broker inbox calls
  (:func:`samleng.common.broker.subscribe_table`);
- ``table.consumer_queue()``: the queue and its bindings, one per event class (and per
  older version that upcasts into it);
- the topology every service declares and the AsyncAPI document: both are generated from
  the tables of all services (``python -m samleng.devstack contracts``) and checked for
  drift in the tests, so no hand-kept list of consumers exists.

An event type a table does not name is poison for that service: it is never bound to the
queue, so it only arrives by mistake.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from samleng.common.events import Event, older_versions_of, routing_key_of
from samleng.common.topology import ConsumerQueue

P = TypeVar("P")

#: ``async def handler(event, ports) -> None``; the event type is the table's key.
Handler = Callable[[Any, P], Awaitable[None]]
Dispatch = Callable[[Event], Awaitable[None]]

#: How often a message may be delivered before RabbitMQ dead-letters it on its own. A
#: consumer that crashes while holding messages uses up one delivery of each (RabbitMQ
#: 3.x quorum queues count every return), so the limit must outlast a crash loop; real
#: poison never waits for it (the inbox dead-letters it at once, with its reason).
DEFAULT_DELIVERY_LIMIT = 20


class PoisonMessage(Exception):
    """A message that can never be handled, whatever is retried; it goes to the DLQ."""


class UnhandledEvent(PoisonMessage):
    """An event type the service's table does not name."""


@dataclass(frozen=True)
class HandlerTable(Generic[P]):
    """One service's consumed events and the handler of each."""

    service: str
    queue: str
    handlers: Mapping[type[Event], Handler[P]]
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT

    def event_types(self) -> tuple[type[Event], ...]:
        """The event classes this service handles, in declaration order."""
        return tuple(self.handlers)

    def bindings(self) -> tuple[str, ...]:
        """Every routing key the service's queue is bound to (older versions included)."""
        keys: list[str] = []
        for cls in self.handlers:
            for version in (*older_versions_of(cls), cls):
                key = routing_key_of(version)
                if key not in keys:
                    keys.append(key)
        return tuple(keys)

    def consumer_queue(self) -> ConsumerQueue:
        """The service's queue as the table describes it."""
        return ConsumerQueue(self.queue, self.bindings(), self.delivery_limit)

    def handler_for(self, event: Event) -> Handler[P]:
        """The handler of this event; UnhandledEvent if the table has none."""
        try:
            return self.handlers[type(event)]
        except KeyError:
            raise UnhandledEvent(
                f"{self.service} does not handle {event.type} v{event.version}"
            ) from None

    def bind(self, ports: P) -> Dispatch:
        """The dispatch coroutine of this table with these ports."""

        async def dispatch(event: Event) -> None:
            await self.handler_for(event)(event, ports)

        return dispatch
