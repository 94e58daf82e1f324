"""Handler tables and upcasters: bindings come from the table, dispatch finds the handler
of the event's class, an unknown type is poison, and old versions are read as new ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import pytest

from samleng.common.events import (
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintSubmitted,
    Event,
    Payload,
    parse_event,
    register,
    register_upcaster,
)
from samleng.common.events import envelope as envelope_module
from samleng.common.handling import HandlerTable, UnhandledEvent
from tests.support import EventFactory

pytestmark = pytest.mark.unit


class _NoteV1(Payload):
    text: str


class _NoteV2(Payload):
    text: str
    language: Literal["km", "en"]


class _Noted(Event):
    event_type: ClassVar[str] = "test.noted"
    event_version: ClassVar[int] = 1
    data: _NoteV1


class _NotedV2(Event):
    event_type: ClassVar[str] = "test.noted"
    event_version: ClassVar[int] = 2
    data: _NoteV2


def _to_v2(event: Event) -> Event:
    assert isinstance(event, _Noted)
    return _NotedV2(
        **{**event.model_dump(exclude={"data", "version"}), "version": 2},
        data=_NoteV2(text=event.data.text, language="km"),
    )


@pytest.fixture
def noted_versions() -> Iterator[None]:
    """Register the two versions and the upcaster for one test, then forget them."""
    registry = dict(envelope_module._REGISTRY)
    upcasters = dict(envelope_module._UPCASTERS)
    register(_Noted)
    register(_NotedV2)
    register_upcaster(_Noted, _NotedV2, _to_v2)
    yield
    envelope_module._REGISTRY.clear()
    envelope_module._REGISTRY.update(registry)
    envelope_module._UPCASTERS.clear()
    envelope_module._UPCASTERS.update(upcasters)


async def test_dispatch_calls_the_handler_of_the_events_class_with_the_ports() -> None:
    seen: list[tuple[str, Any]] = []

    async def on_assigned(event: Event, ports: str) -> None:
        seen.append((event.type, ports))

    table: HandlerTable[str] = HandlerTable("svc", "svc.inbox", {ComplaintAssigned: on_assigned})
    events = EventFactory()
    assigned = events.assigned(events.submitted())
    await table.bind("the ports")(assigned)
    assert seen == [("complaint.assigned", "the ports")]
    with pytest.raises(UnhandledEvent, match=r"svc does not handle complaint\.submitted v1"):
        await table.bind("the ports")(events.submitted())


def test_bindings_are_the_routing_keys_of_the_tables_events() -> None:
    async def handle(event: Event, ports: None) -> None:
        return None

    table: HandlerTable[None] = HandlerTable(
        "svc", "svc.inbox", {ComplaintSubmitted: handle, ComplaintClosed: handle}
    )
    assert table.bindings() == ("complaint.submitted.v1", "complaint.closed.v1")
    queue = table.consumer_queue()
    assert (queue.name, queue.bindings) == ("svc.inbox", table.bindings())


@pytest.mark.usefixtures("noted_versions")
def test_an_old_version_is_parsed_as_the_newest_and_still_bound() -> None:
    old = _Noted.first("c-1", producer="test", data=_NoteV1(text="hello"))
    parsed = parse_event(old.to_json_bytes())
    assert isinstance(parsed, _NotedV2)
    assert parsed.data == _NoteV2(text="hello", language="km")
    assert parsed.event_id == old.event_id
    assert isinstance(parse_event(old.to_json_bytes(), upcasted=False), _Noted)

    async def on_noted(event: Event, ports: None) -> None:
        return None

    table: HandlerTable[None] = HandlerTable("svc", "svc.inbox", {_NotedV2: on_noted})
    assert table.bindings() == ("test.noted.v1", "test.noted.v2")


@pytest.mark.usefixtures("noted_versions")
def test_an_upcaster_goes_only_forward_within_one_type() -> None:
    with pytest.raises(ValueError, match="cannot upcast"):
        register_upcaster(_NotedV2, _Noted, _to_v2)
    with pytest.raises(ValueError, match="already has an upcaster"):
        register_upcaster(_Noted, _NotedV2, _to_v2)
