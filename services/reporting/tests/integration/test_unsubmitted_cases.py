"""A complaint whose submission reporting has not seen counts nowhere (issue #20 item 7),
and counts as soon as its submission arrives, with everything that happened before it.
Over real RabbitMQ and MongoDB, in a vhost and database of its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient

from samleng.common.events import ComplaintResolved, ComplaintSubmitted, Event
from samleng.reporting.app import create_app
from samleng.reporting.domain.cases import fold
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.helpers import generate
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration


def _history() -> tuple[ComplaintSubmitted, list[Event]]:
    """One complaint of the running year with events after its submission."""
    events, _ = generate(60, seed=13)
    this_year = datetime.now(UTC).year
    for complaint_id in dict.fromkeys(e.complaint_id for e in events):
        mine = sorted(
            (e for e in events if e.complaint_id == complaint_id), key=lambda e: e.sequence
        )
        first = mine[0]
        if (
            isinstance(first, ComplaintSubmitted)
            and first.occurred_at.year == this_year
            and any(isinstance(e, ComplaintResolved) for e in mine)
        ):
            return first, mine[1:]
    raise AssertionError("the generator made no resolved complaint this year")


async def _publish(amqp_url: str, events: list[Event]) -> None:
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        for event in events:
            await publish_event(channel, event)
    finally:
        await connection.close()


async def test_a_case_never_seen_submitted_counts_nowhere_until_its_submission_arrives(
    stack: Any, reporting_vhost: Callable[[], str], sign_in: Callable[..., dict[str, str]]
) -> None:
    submitted, later = _history()
    complaint_id = submitted.complaint_id
    amqp_url = reporting_vhost()
    settings = settings_for(
        stack,
        ReportingSettings,
        "reporting",
        amqp_url=amqp_url,
        publish_interval_seconds=0.2,
        headline_ttl_seconds=0.1,
    )
    analyst = sign_in(["national_analyst"])
    period = {"period": str(submitted.occurred_at.year)}
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True
    )
    cases = mongo[settings.mongo_database]["cases"]
    try:
        async with running(create_app(settings)) as http:
            await _publish(amqp_url, later)

            async def folded(n: int) -> bool:
                doc = await cases.find_one({"_id": complaint_id})
                return doc is not None and doc["n_events"] == n

            await eventually(lambda: folded(len(later)), timeout=60)
            kept = await cases.find_one({"_id": complaint_id})
            assert kept is not None and kept["received_at"] is None  # kept, never counted
            summary = (await http.get("/v1/stats/summary")).json()
            assert summary["received"] == 0
            assert summary["last_updated"] is None  # not even the time of its events
            detail = await http.get("/v1/stats/detail", params=period, headers=analyst)
            assert detail.json()["figures"]["status"]["received"] == 0
            assert all(not row for row in detail.json()["figures"]["breakdowns"].values())
            unpublished = await http.get("/v1/open-data/status", params=period)
            assert unpublished.status_code == 503  # nothing received: nothing to publish

            await _publish(amqp_url, [submitted])
            await eventually(lambda: folded(len(later) + 1), timeout=60)
            expected = fold(complaint_id, [submitted, *later])
            kept = await cases.find_one({"_id": complaint_id})
            assert kept is not None and kept["received_at"] is not None
            assert kept["status"] == expected.status
            assert len(kept["transitions"]) == len(expected.transitions)

            async def counted() -> dict[str, Any] | None:
                body: dict[str, Any] = (await http.get("/v1/stats/summary")).json()
                return body if body["received"] == 1 else None

            summary = await eventually(counted, timeout=30)
            assert summary["last_updated"] is not None
            # counted in the status its later events put it in, not as awaiting routing
            if expected.status == "closed":
                assert summary["closed_confirmed"] + summary["closed_auto"] == 1
            else:
                assert summary[str(expected.status)] == 1
            assert summary["awaiting_routing"] == 0
            detail = await http.get("/v1/stats/detail", params=period, headers=analyst)
            assert detail.json()["figures"]["status"]["received"] == 1
    finally:
        await mongo.close()
