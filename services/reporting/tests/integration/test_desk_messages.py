"""The social-media desk's messages in the public desk figures, over real RabbitMQ and
MongoDB: reporting counts ``desk.message_received`` and ``desk.message_dismissed`` once
each (a replayed delivery changes nothing), beside the cases filed at the desks, inside
the year's small-cell suppression, on the open data and on the dashboard in both
languages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from samleng.common.events import (
    Category,
    ComplaintSubmitted,
    DeskMessageData,
    DeskMessageDismissed,
    DeskMessageDismissedData,
    DeskMessageReceived,
    DismissalReason,
    Event,
    FeedbackKind,
    Location,
    SubmittedData,
    desk_message_subject,
)
from samleng.reporting.app import create_app
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.delivery import settled
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

DESK = "social_media:national:moi"


def _cases(month: int, n: int) -> list[Event]:
    """``n`` cases filed from the Page's messages in a month of 2026."""
    return [
        ComplaintSubmitted.first(
            str(uuid.uuid4()),
            producer="test",
            data=SubmittedData(
                kind=FeedbackKind.COMPLAINT,
                category=Category.OTHER,
                location=Location(province_code="17", district_code="1702", commune_code="170201"),
                channel="social_media",
            ),
            occurred_at=datetime(2026, month, 10, 3, tzinfo=UTC) + timedelta(hours=i),
        )
        for i in range(n)
    ]


def _messages(month: int, received: int, dismissed: int) -> list[Event]:
    """Arrivals in a month of 2026, the first ``dismissed`` of them dismissed a day later."""
    events: list[Event] = []
    for i in range(received):
        subject = desk_message_subject(str(uuid.uuid4()))
        at = datetime(2026, month, 3, 2, tzinfo=UTC) + timedelta(hours=i)
        arrival = DeskMessageReceived.first(
            subject, producer="intake", data=DeskMessageData(desk=DESK), occurred_at=at
        )
        events.append(arrival)
        if i < dismissed:
            events.append(
                DeskMessageDismissed.after(
                    subject,
                    1,
                    producer="intake",
                    data=DeskMessageDismissedData(desk=DESK, reason=DismissalReason.SPAM),
                    correlation_id=subject,
                    occurred_at=at + timedelta(days=1),
                )
            )
    return events


def _row(table: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r["values"] for r in table["rows"] if r["key"] == key)


async def test_messages_received_and_dismissed_are_counted_once_and_suppressed(
    stack: Any, reporting_vhost: Callable[[], str]
) -> None:
    amqp_url = reporting_vhost()
    settings = settings_for(
        stack,
        ReportingSettings,
        "reporting",
        amqp_url=amqp_url,
        publish_interval_seconds=0.2,
        open_data_as_of="now",
    )
    # March: 12 messages, 7 dismissed, 6 turned into cases; April 3 (1); May 2 (1)
    desk_events = _messages(3, 12, 7) + _messages(4, 3, 1) + _messages(5, 2, 1)
    stream = _cases(3, 6) + desk_events + desk_events[::2]  # every other one delivered twice
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    db = mongo[settings.mongo_database]
    try:
        async with running(create_app(settings)) as http:
            connection = await aio_pika.connect_robust(amqp_url)
            try:
                channel = await connection.channel(publisher_confirms=True)
                for event in stream:
                    await publish_event(channel, event)

                async def counted() -> bool:
                    desk = await db["desk_counts"].count_documents({})
                    cases = await db["cases"].count_documents({})
                    return desk == len(desk_events) and cases == 6

                await eventually(counted, timeout=120, interval=0.5)
            finally:
                await connection.close()
            await settled(settings)
            tables = {}
            for period in ("2026-03", "2026-04", "2026-05", "2026-Q1", "2026-Q2", "2026"):
                answer = await http.get("/v1/open-data/desks", params={"period": period})
                assert answer.status_code == 200, answer.text
                tables[period] = answer.json()
            pages = {
                lang: (await http.get("/dashboard", params={"lang": lang, "period": "2026-03"}))
                for lang in ("km", "en")
            }
        stored = [doc async for doc in db["desk_counts"].find({})]
        archived = await db["events"].count_documents({"type": {"$regex": "^desk"}})
    finally:
        await mongo.drop_database(settings.mongo_database)
        await mongo.close()

    columns = [c["key"] for c in tables["2026-03"]["columns"]]
    assert columns[-2:] == ["messages_received", "messages_dismissed"]
    march = _row(tables["2026-03"], "social_media")
    assert (march["received"], march["messages_received"]) == (6, 12)
    assert _row(tables["2026-Q2"], "social_media")["messages_received"] == 5
    assert _row(tables["2026"], "social_media")["messages_received"] == 17
    # April's and May's counts are small cells
    for month in ("2026-04", "2026-05"):
        small = _row(tables[month], "social_media")
        assert small["messages_received"] is None and small["messages_dismissed"] is None
    # no sum the reader knows (a quarter = its months, the year = its quarters) has exactly
    # one hidden cell: none can be recomputed (dismissed: 7 + 1 + 1)
    values = {p: _row(t, "social_media") for p, t in tables.items()}
    sums = {
        "2026-Q1": ["2026-03"],
        "2026-Q2": ["2026-04", "2026-05"],
        "2026": ["2026-Q1", "2026-Q2"],
    }
    for column in ("messages_received", "messages_dismissed"):
        for total, parts in sums.items():
            cells = [values[total][column], *(values[p][column] for p in parts)]
            assert sum(v is None for v in cells) != 1, (column, total)
    assert sum(v["messages_dismissed"] is not None for v in values.values()) >= 1
    # stored once each, with nothing but the desk kind, what happened, when and a category
    assert {tuple(sorted(doc)) for doc in stored} == {
        ("_id", "at", "desk_kind", "happened", "reason")
    }
    assert {doc["desk_kind"] for doc in stored} == {"social_media"}
    assert len(stored) == len(desk_events)
    assert archived == 0  # not folded as cases
    for lang, words in (("km", "សារបានទទួល"), ("en", "Messages received")):
        assert pages[lang].status_code == 200
        assert words in pages[lang].text and 'id="desks"' in pages[lang].text
