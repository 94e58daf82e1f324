"""Delivering a generated history to reporting over RabbitMQ, and reading what it publishes."""

from __future__ import annotations

import random
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from samleng.common.events import Event
from samleng.reporting.settings import ReportingSettings
from services.reporting.tests.integration.expected import bounds
from tests.support import eventually, publish_event

PERIODS = {"2026": bounds(2026), "2026-03": bounds(2026, 3), "2025": bounds(2025)}


def delivery(events: list[Event], seed: int) -> list[Event]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible delivery order
    stream = events + rng.sample(events, k=len(events) // 6)
    rng.shuffle(stream)
    return stream


async def deliver(settings: ReportingSettings, amqp_url: str, stream: list[Event]) -> None:
    """Publish the stream to the running app's queue and wait until every case has folded
    every one of its events."""
    unique = len({e.event_id for e in stream})
    connection = await aio_pika.connect_robust(amqp_url)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    try:
        channel = await connection.channel(publisher_confirms=True)
        for event in stream:
            await publish_event(channel, event)
        cases = mongo[settings.mongo_database]["cases"]

        async def folded() -> bool:
            rows = await (
                await cases.aggregate([{"$group": {"_id": None, "n": {"$sum": "$n_events"}}}])
            ).to_list()
            return bool(rows) and rows[0]["n"] == unique

        await eventually(folded, timeout=120, interval=0.5)
    finally:
        await connection.close()
        await mongo.close()
    await settled(settings)


async def settled(settings: ReportingSettings) -> None:
    """Wait until the running app has published every year as of its latest change."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url.get_secret_value()
    )
    db = mongo[settings.mongo_database]

    async def published() -> bool:
        changes = {d["_id"]: d["version"] async for d in db["publication_changes"].find({})}
        editions = {d["_id"]: d["version"] async for d in db["publications"].find({})}
        return bool(changes) and all(editions.get(y, -1) >= v for y, v in changes.items())

    try:
        await eventually(published, timeout=120, interval=0.3)
    finally:
        await mongo.close()


async def outputs(http: Any, analyst: dict[str, str]) -> dict[str, Any]:
    """Everything reporting publishes for the test periods (without the 'as of' instant);
    full detail is read with the ``analyst`` headers (a national analyst's token)."""
    found: dict[str, Any] = {}
    for period in PERIODS:
        detail = await http.get("/v1/stats/detail", params={"period": period}, headers=analyst)
        assert detail.status_code == 200, detail.text
        found[f"detail {period}"] = detail.json()["figures"]
        for area in ({}, {"province": "12"}, {"district": "1701"}):
            status = await http.get("/v1/open-data/status", params={"period": period, **area})
            body = status.json()
            body.pop("as_of")
            found[f"status {period} {area}"] = body
        for table, params in (
            ("overall", {}),
            ("offices", {}),
            ("monthly", {"period": "2026-03"}),
        ):
            if table == "offices" and len(period) == 7:
                continue  # by quarter or year
            asked = {"period": period, **params}
            answer = await http.get(f"/v1/open-data/{table}", params=asked)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            body.pop("as_of")
            found[f"{table} {asked}"] = body
    found["summary"] = (await http.get("/v1/stats/summary")).json()
    return found
