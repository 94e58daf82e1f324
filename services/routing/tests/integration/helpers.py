"""Helpers of routing's real tier: submissions, requests, reading events off a tap, and
routing's own database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from samleng.common.events import (
    Category,
    ComplaintSubmitted,
    Event,
    FeedbackKind,
    Location,
    MoveRequestData,
    SubmittedData,
    parse_event,
)
from samleng.routing.entrypoints.clocks import ClockLoop
from samleng.routing.settings import RoutingSettings
from tests.support import eventually

#: Monday 7 December 2026, 10:00 in Phnom Penh: a plain working day.
MONDAY = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def submitted(commune: str = "170201", **fields: Any) -> ComplaintSubmitted:
    """A new complaint in a commune, with any other submission fields."""
    location = Location(province_code=commune[:2], district_code=commune[:4], commune_code=commune)
    data = SubmittedData.model_validate(
        {"kind": FeedbackKind.COMPLAINT, "category": Category.DELAY, "location": location, **fields}
    )
    return ComplaintSubmitted.first(str(uuid.uuid4()), producer="test", data=data)


def move_request(cls: type[Event], cause: Event, office_id: str, **fields: Any) -> Event:
    """An officer's transfer/forward/escalation request following ``cause``."""
    data = MoveRequestData.model_validate({"office_id": office_id, "reason": "test", **fields})
    return cls.caused_by(cause, producer="test", data=data)


class Feed:
    """Every event of the session's exchange, read off a tap and kept by complaint."""

    def __init__(self, queue: aio_pika.abc.AbstractQueue) -> None:
        self._queue = queue
        self.seen: list[Event] = []

    async def _drain(self) -> None:
        while (message := await self._queue.get(fail=False, no_ack=True)) is not None:
            self.seen.append(parse_event(json.loads(message.body)))

    def of(self, complaint_id: str, event_type: str) -> list[Event]:
        """The events of one type seen so far for a complaint (duplicates included)."""
        return [e for e in self.seen if e.complaint_id == complaint_id and e.type == event_type]

    async def wait(self, complaint_id: str, event_type: str, count: int = 1) -> list[Event]:
        """Wait until ``count`` distinct events of a type arrived for a complaint."""

        async def probe() -> list[Event] | None:
            await self._drain()
            found = self.distinct(complaint_id, event_type)
            return found if len(found) >= count else None

        return await eventually(probe)

    def distinct(self, complaint_id: str, event_type: str) -> list[Event]:
        """Events of a type for a complaint, one per event_id, in arrival order."""
        unique: dict[str, Event] = {}
        for event in self.of(complaint_id, event_type):
            unique.setdefault(str(event.event_id), event)
        return list(unique.values())


async def tap_all(channel: aio_pika.abc.AbstractChannel) -> Feed:
    """A feed of every complaint event published on the session's vhost."""
    exchange = await channel.declare_exchange(
        "samleng.events", aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="complaint.#")
    return Feed(queue)


async def case_record(settings: RoutingSettings, complaint_id: str) -> dict[str, Any] | None:
    """Routing's stored record of a case."""
    found = await _find(settings, "assignments", {"_id": complaint_id})
    return found[0] if found else None


async def until_record(
    settings: RoutingSettings, complaint_id: str, check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Wait until routing's record of a case passes ``check``; the record."""

    async def probe() -> dict[str, Any] | None:
        record = await case_record(settings, complaint_id)
        return record if record is not None and check(record) else None

    return await eventually(probe)


async def all_published(settings: RoutingSettings, complaint_id: str) -> bool:
    """Whether routing's outbox holds no unpublished event of a case."""
    return not await _find(settings, "outbox", {"complaint_id": complaint_id, "published_at": None})


async def _find(
    settings: RoutingSettings, collection: str, query: dict[str, Any]
) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    try:
        return await client[settings.mongo_database][collection].find(query).to_list()
    finally:
        await client.close()


async def passes(*loops: ClockLoop, more: int = 3) -> None:
    """Wait until every replica's clock loop made ``more`` further passes."""
    targets = [(loop, loop.passes + more) for loop in loops]

    async def done() -> bool:
        return all(loop.passes >= n for loop, n in targets)

    await eventually(done)
