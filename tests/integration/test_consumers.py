"""Every consumer on the real broker: duplicates change nothing, poison goes to its DLQ
with the reason, and the consumer goes on serving the next messages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from samleng.common.events import parse_event
from samleng.common.settings import ServiceSettings
from samleng.common.topology import CONSUMERS, REASON_HEADER
from samleng.intake.app import create_app as create_intake
from samleng.intake.settings import IntakeSettings
from samleng.notification.app import create_app as create_notification
from samleng.notification.settings import NotificationSettings
from samleng.reporting.app import create_app as create_reporting
from samleng.reporting.settings import ReportingSettings
from samleng.routing.app import create_app as create_routing
from samleng.routing.settings import RoutingSettings
from tests.support import (
    EventFactory,
    drained,
    eventually,
    next_message,
    publish_event,
    publish_raw,
    running,
    settings_for,
    take_from_queue,
    tap,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class _Assignment:
    cause_id: str
    event: Any


SERVICES: dict[str, tuple[type[ServiceSettings], Callable[..., FastAPI]]] = {
    "intake": (IntakeSettings, create_intake),
    "routing": (RoutingSettings, create_routing),
    "notification": (NotificationSettings, create_notification),
    "reporting": (ReportingSettings, create_reporting),
}


async def collection(settings: ServiceSettings, name: str) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        return await client[settings.mongo_database][name].find().to_list()
    finally:
        await client.close()


@pytest.mark.parametrize("service", list(SERVICES))
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json at all", "not UTF-8 JSON"),
        (b'{"type": "complaint.teleported", "version": 1}', "unknown event type"),
        (b'{"type": "complaint.submitted", "version": 1, "sequence": 0}', "sequence"),
    ],
)
async def test_poison_goes_to_the_dead_letter_queue_with_its_reason(
    stack: Any, amqp: Any, events: EventFactory, service: str, body: bytes, reason: str
) -> None:
    settings_type, create_app = SERVICES[service]
    settings = settings_for(stack, settings_type, service, relay_enabled=False)
    consumer = CONSUMERS[service]
    async with running(create_app(settings)):
        poison_id = f"poison-{uuid.uuid4()}"
        await publish_raw(amqp, consumer.name, body, poison_id)
        dead = await take_from_queue(amqp, consumer.dead_letter_queue_name, poison_id)
        assert reason in str(dead.headers[REASON_HEADER])
        assert dead.body == body

        # the consumer keeps serving: a valid event right after is handled
        ok = events.submitted()
        await publish_raw(amqp, consumer.name, ok.to_json_bytes(), str(ok.event_id))
        await drained(amqp, consumer.name)


async def test_routing_assigns_once_however_often_a_submission_arrives(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    settings = settings_for(stack, RoutingSettings, "routing")
    assigned = await tap(amqp, "complaint.assigned.v1")
    submitted = events.submitted("170201")
    async with running(create_routing(settings)):
        await publish_event(amqp, submitted)
        first = json.loads((await next_message(assigned)).body)
        await publish_event(amqp, submitted)
        second = json.loads((await next_message(assigned)).body)
    assert first == second  # re-announced with the same event_id: downstream dedupes
    assert first["data"]["office"]["office_id"] == "commune:170201"
    assert first["sequence"] == submitted.sequence + 1
    assert len(await collection(settings, "assignments")) == 1


async def test_intake_applies_an_assignment_once(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    settings = settings_for(stack, IntakeSettings, "intake", relay_enabled=False)
    complaint = {
        "kind": "complaint",
        "category": "delay",
        "commune_code": "170201",
        "description": "birth certificate took four months",
    }
    async with running(create_intake(settings)) as http:
        codes, assignments = [], []
        for _ in range(2):  # one case at a time, so each outbox entry is known to be its own
            codes.append(
                (await http.post("/v1/complaints", json=complaint)).json()["tracking_code"]
            )
            known = {str(a.cause_id) for a in assignments}
            [new] = [d for d in await collection(settings, "outbox") if d["_id"] not in known]
            assignments.append(_Assignment(new["_id"], events.assigned(parse_event(new["body"]))))
        first, marker = (a.event for a in assignments)
        for _ in range(3):
            await publish_event(amqp, first)
        # one consumer takes messages in order: once the marker shows, the copies were seen
        await publish_event(amqp, marker)

        async def assigned(code: str) -> dict[str, Any] | None:
            view = (await http.get(f"/v1/complaints/{code}")).json()
            return view if view["status"] == "assigned" else None

        await eventually(lambda: assigned(codes[1]))
        view = await assigned(codes[0])
    assert view is not None
    assert [step["status"] for step in view["timeline"]] == ["submitted", "assigned"]
    assert view["office"]["name_km"] == "រដ្ឋបាលឃុំ/សង្កាត់ ជប់តាត្រាវ"


async def test_notification_alerts_an_office_once(
    stack: Any, amqp: Any, events: EventFactory
) -> None:
    settings = settings_for(stack, NotificationSettings, "notification")
    office = f"commune:12{uuid.uuid4().int % 10000:04d}"
    assignment = events.assigned(events.submitted(), office_id=office)
    marker = events.assigned(events.submitted(), office_id=office)
    async with running(create_notification(settings)) as http:
        for _ in range(3):
            await publish_event(amqp, assignment)
        await publish_event(amqp, marker)

        async def feed() -> list[dict[str, Any]] | None:
            token = stack.issuer.token("officer-test", ["officer"], [office])
            answer = await http.get(
                f"/v1/offices/{office}/notifications", headers={"Authorization": f"Bearer {token}"}
            )
            alerts = answer.json()["alerts"]
            return alerts if any(a["complaint_id"] == marker.complaint_id for a in alerts) else None

        alerts = await eventually(feed)
    mine = [a for a in alerts if a["complaint_id"] == assignment.complaint_id]
    assert len(mine) == 1 and len(alerts) == 2
    assert "ករណីថ្មី" in mine[0]["title"]["km"]


async def test_reporting_counts_are_the_same_for_duplicates_and_any_order(
    stack: Any, fresh_vhost: Callable[[], str], events: EventFactory
) -> None:
    amqp_url = fresh_vhost()  # counts everything on its vhost: no other test's events
    settings = settings_for(stack, ReportingSettings, "reporting", amqp_url=amqp_url)
    a = events.submitted()
    a_assigned = events.assigned(a)
    a_resolved = events.resolved(a_assigned)
    b = events.submitted()
    b_assigned = events.assigned(b)
    c = events.submitted()
    marker = events.submitted()
    # resolved before assigned before submitted, with duplicates; the marker comes last
    stream = [a_resolved, b_assigned, a_assigned, c, a, b, a_resolved, b_assigned, c, marker]
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        async with running(create_reporting(settings)) as http:
            for event in stream:
                await publish_event(channel, event)

            async def summary() -> dict[str, Any] | None:
                body = (await http.get("/v1/stats/summary")).json()
                return body if body["received"] == 4 else None

            body = await eventually(summary)
    finally:
        await connection.close()
    figures = (body["received"], body["awaiting_routing"], body["in_progress"], body["resolved"])
    assert figures == (4, 2, 1, 1)
    assert body["labels"]["resolved"]["km"] == "បានដោះស្រាយ"
