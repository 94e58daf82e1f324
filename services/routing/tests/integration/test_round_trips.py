"""MongoDB round trips per message in routing, counted from the command spans under each
message's consumer span (issue 19): a submission is one transaction of three commands,
an action that causes no event two commands, one that causes events four. The active
directory is not read per message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aio_pika
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from samleng.common.events import ComplaintAcknowledged, Event, OfficeActionData, TransferRequested
from samleng.routing.app import create_app
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import move_request, submitted, tap_all
from tests.support import eventually, publish_event, recorded_spans, running, settings_for

pytestmark = pytest.mark.integration

CONSUMER_SPAN = "routing.case-events process"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Every finished span of this process while the test runs."""
    with recorded_spans() as exporter:
        yield exporter


def commands_of(event: Event, finished: tuple[ReadableSpan, ...]) -> list[str]:
    """The MongoDB commands routing issued while handling one message."""
    [consumer] = [
        s
        for s in finished
        if s.name == CONSUMER_SPAN
        and (s.attributes or {}).get("messaging.message.id") == str(event.event_id)
    ]
    assert consumer.context is not None
    return sorted(
        s.name.removeprefix("mongodb ")
        for s in finished
        if s.name.startswith("mongodb ")
        and s.parent is not None
        and s.parent.span_id == consumer.context.span_id
    )


async def test_each_message_costs_few_round_trips(
    stack: Any, amqp: aio_pika.abc.AbstractChannel, spans: InMemorySpanExporter
) -> None:
    settings = settings_for(
        stack, RoutingSettings, "routing", clock_poll_seconds=3600, directory_refresh_seconds=3600
    )
    feed = await tap_all(amqp)
    warm_up, cause = submitted("170201"), submitted("170201")
    async with running(create_app(settings)):
        for event in (warm_up, cause):  # the first message reads the directory
            await publish_event(amqp, event)
            [assigned] = await feed.wait(event.complaint_id, "complaint.assigned")
        acknowledged = ComplaintAcknowledged.caused_by(
            assigned, producer="test", data=OfficeActionData(office_id="commune:170201")
        )
        transfer = move_request(
            TransferRequested, acknowledged, "commune:170201", to_office_id="owso:1702"
        )
        for count, action in enumerate((acknowledged, transfer), start=3):
            await publish_event(amqp, action)  # one at a time: no retry after a lost race

            async def handled(count: int = count) -> bool:
                names = [s.name for s in spans.get_finished_spans()]
                return names.count(CONSUMER_SPAN) >= count

            await eventually(handled)
    finished = spans.get_finished_spans()
    assert commands_of(cause, finished) == ["commitTransaction", "insert", "insert"]
    assert commands_of(acknowledged, finished) == ["find", "update"]
    assert commands_of(transfer, finished) == ["commitTransaction", "find", "insert", "update"]
