"""Routing rules on the real broker and database: real commune codes, conflict of
interest, areas not yet served, forwarding, transfers and refused requests."""

from __future__ import annotations

from typing import Any

import aio_pika
import pytest

from samleng.common.events import (
    ComplaintAssigned,
    ComplaintForwarded,
    EscalationRequested,
    ForwardRequested,
    MoveRequestRefused,
    TransferRequested,
)
from samleng.common.topology import CONSUMERS
from samleng.routing.adapters.clock import ManualClock
from samleng.routing.app import create_app
from samleng.routing.settings import RoutingSettings
from services.routing.tests.integration.helpers import (
    MONDAY,
    all_published,
    case_record,
    move_request,
    submitted,
    tap_all,
)
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("fields", "office", "rule"),
    [
        ({"commune": "170201"}, "commune:170201", "commune-office"),
        ({"commune": "020101"}, "commune:020101", "commune-office"),
        (
            {"commune": "170201", "service_code": "utilities.electricity_connection"},
            "department:17:mme",
            "service-provider",
        ),
        (
            {
                "commune": "170201",
                "about_office_id": "commune:170201",
                "about_office_conduct": True,
            },
            "district-ombudsman:1702",
            "conflict-of-interest",
        ),
        ({"commune": "090101"}, "national:moi-team", "not-yet-served"),
        ({"commune": "999999"}, "national:moi-team", "unknown-area"),
    ],
)
async def test_a_submission_is_routed_and_the_case_keeps_its_clocks(
    stack: Any, amqp: aio_pika.abc.AbstractChannel, fields: dict[str, Any], office: str, rule: str
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing", clock_poll_seconds=0.05)
    feed = await tap_all(amqp)
    commune = fields.pop("commune")
    cause = submitted(commune, **fields)
    async with running(create_app(settings, clock=ManualClock(MONDAY))):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        await eventually(lambda: all_published(settings, cause.complaint_id))
    assert isinstance(assigned, ComplaintAssigned)
    assert (assigned.data.office.office_id, assigned.data.rule) == (office, rule)
    assert assigned.data.not_yet_served == (rule == "not-yet-served")
    assert assigned.data.directory_version == "pilot-2026.1"
    assert assigned.data.explanation_en and assigned.data.explanation_km
    deadlines = assigned.data.deadlines
    assert deadlines is not None and deadlines.acknowledge_by and deadlines.resolve_by
    record = await case_record(settings, cause.complaint_id)
    assert record is not None
    assert record["office_id"] == office and record["directory_version"] == "pilot-2026.1"
    assert record["next_due_at"] is not None and "outbox" not in record


async def test_a_forwarded_case_keeps_one_identity_and_says_where_and_why(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing", clock_poll_seconds=0.05)
    feed = await tap_all(amqp)
    cause = submitted("170201")
    async with running(create_app(settings, clock=ManualClock(MONDAY))):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        forward = move_request(ForwardRequested, assigned, "commune:170201", to_ministry="moh")
        await publish_event(amqp, forward)
        [forwarded] = await feed.wait(cause.complaint_id, "complaint.forwarded")
    assert isinstance(forwarded, ComplaintForwarded)
    assert forwarded.complaint_id == cause.complaint_id
    assert forwarded.data.from_office.office_id == "commune:170201"
    assert forwarded.data.to_office.office_id == "department:17:moh"
    assert forwarded.data.to_office.ministry == "moh"
    assert "Ministry of Health" in forwarded.data.to_office.name_en and forwarded.data.reason_km
    assert forwarded.data.rule == "forward-to-ministry" and forwarded.data.deadlines is not None
    record = await case_record(settings, cause.complaint_id)
    assert record is not None and record["office_id"] == "department:17:moh"
    assert [m["rule"] for m in record["moves"]] == ["forward-to-ministry"]


async def test_refused_requests_are_announced_with_the_reason_and_never_dead_lettered(
    stack: Any, amqp: aio_pika.abc.AbstractChannel
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing", clock_poll_seconds=0.05)
    feed = await tap_all(amqp)
    cause = submitted("170201")
    dlq = CONSUMERS["routing"].dead_letter_queue_name
    async with running(create_app(settings, clock=ManualClock(MONDAY))):
        await publish_event(amqp, cause)
        [assigned] = await feed.wait(cause.complaint_id, "complaint.assigned")
        refused = [
            (
                move_request(TransferRequested, assigned, "commune:170201", to_office_id="x:1"),
                "transfer",
                "unknown office",
            ),
            (
                move_request(ForwardRequested, assigned, "commune:170201", to_ministry="zz"),
                "forward",
                "unknown ministry",
            ),
            (
                move_request(EscalationRequested, assigned, "owso:1702"),
                "escalation",
                "only the responsible office",
            ),
        ]
        for request, _, _ in refused:
            await publish_event(amqp, request)
        answers = await feed.wait(cause.complaint_id, "complaint.move_refused", len(refused))
        # a valid transfer right after is carried out (a new request: its own event id)
        transfer = move_request(
            TransferRequested, answers[-1], "commune:170201", to_office_id="commune:170202"
        )
        await publish_event(amqp, transfer)
        [moved] = await feed.wait(cause.complaint_id, "complaint.transferred")
    by_request = {a.data.request_event_id: a for a in answers}  # type: ignore[attr-defined]
    for request, kind, reason in refused:
        answer = by_request[str(request.event_id)]
        assert isinstance(answer, MoveRequestRefused)
        assert answer.data.request == kind and reason in answer.data.reason_en
        assert answer.data.reason_km and answer.data.office_id == request.data.office_id  # type: ignore[attr-defined]
    # the dead-letter queue is for poison only: none of the refused requests is there
    queue = await amqp.get_queue(dlq, ensure=True)
    dead = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        dead.append(message.message_id)
    assert not {str(r.event_id) for r, _, _ in refused} & set(dead)
    assert moved.data.to_office.office_id == "commune:170202"  # type: ignore[attr-defined]
